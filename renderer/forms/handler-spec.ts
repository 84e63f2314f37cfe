import { wholeNumber } from './whole-number'

/**
 * The handler a form asks the engine for: `delay:MS` for the delay handler (an emptied or unreadable
 * delay field gives `fallbackMs`; never clamped, so a value out of range comes back refused, naming
 * the field), otherwise the handler's own name. The server panel and the comparison both build it here.
 */
export function handlerSpec(handler: string, delayMs: unknown, fallbackMs: number): string {
  return handler === 'delay' ? `delay:${wholeNumber(delayMs, fallbackMs)}` : handler
}
