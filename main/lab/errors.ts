import { errorData, isErrorCode, type ErrorCode, type LabErrorData } from '../../shared/errors'
import { BUDGETS, type BudgetName } from '../../shared/budget-registry'
import { LabError } from './lab-error'

export { LabError }

const NODE_CODES: Record<string, ErrorCode> = {
  EADDRINUSE: 'ERR_PORT_IN_USE',
  EACCES: 'ERR_PERMISSION_DENIED',
  EPERM: 'ERR_PERMISSION_DENIED',
  EADDRNOTAVAIL: 'ERR_ADDRESS_NOT_AVAILABLE',
  ECONNREFUSED: 'ERR_CONNECTION_REFUSED',
  ECONNRESET: 'ERR_CONNECTION_RESET',
  EPIPE: 'ERR_CONNECTION_RESET',
  ENOTFOUND: 'ERR_HOST_NOT_FOUND',
  EAI_AGAIN: 'ERR_HOST_NOT_FOUND',
  EHOSTUNREACH: 'ERR_HOST_UNREACHABLE',
  ENETUNREACH: 'ERR_HOST_UNREACHABLE',
  ETIMEDOUT: 'ERR_TIMEOUT',
  EMSGSIZE: 'ERR_DATAGRAM_TOO_LARGE',
  ENOSPC: 'ERR_STORAGE',
  EROFS: 'ERR_STORAGE',
}

const MESSAGES: Partial<Record<ErrorCode, (where: string) => string>> = {
  ERR_PORT_IN_USE: (w) => `${w} is already in use`,
  ERR_PERMISSION_DENIED: (w) => `permission denied to use ${w}`,
  ERR_ADDRESS_NOT_AVAILABLE: (w) => `cannot listen on ${w}: the address is not on this machine`,
  ERR_CONNECTION_REFUSED: (w) => `connection to ${w} refused`,
  ERR_CONNECTION_RESET: (w) => `connection to ${w} was reset`,
  ERR_HOST_NOT_FOUND: (w) => `host of ${w} not found`,
  ERR_HOST_UNREACHABLE: (w) => `${w} is unreachable`,
  ERR_TIMEOUT: (w) => `${w} did not answer in time`,
  ERR_DATAGRAM_TOO_LARGE: (w) => `datagram too large for ${w}`,
}

/**
 * Maps Node's system errors (EADDRINUSE, ECONNREFUSED, …) to our codes at the engine's edge.
 * `where` is what the learner chose, e.g. `{ host: '127.0.0.1', port: 8081 }`.
 */
export function fromNodeError(err: unknown, where: { host?: string; port?: number } = {}): LabError {
  if (err instanceof LabError) return err
  const sys = err as NodeJS.ErrnoException
  const code = sys && typeof sys.code === 'string' ? NODE_CODES[sys.code] : undefined
  const place =
    where.host !== undefined && where.port !== undefined
      ? `${where.host}:${where.port}`
      : where.port !== undefined
        ? `port ${where.port}`
        : (where.host ?? 'the address')
  const params: Record<string, string | number> = { ...where, where: place }
  if (code) return new LabError(code, MESSAGES[code]?.(place) ?? String(sys.message), params)
  return new LabError('ERR_INTERNAL', sys instanceof Error ? sys.message : String(err), params)
}

export function toErrorData(err: unknown): LabErrorData {
  if (err instanceof LabError) return err.toData()
  const maybe = err as { code?: unknown; message?: unknown; params?: LabErrorData['params']; field?: unknown }
  if (maybe && isErrorCode(maybe.code)) return errorData(maybe.code, String(maybe.message ?? maybe.code), maybe.params, typeof maybe.field === 'string' ? maybe.field : undefined)
  return fromNodeError(err).toData()
}

/** How the number that hit a budget counts: in use now, asked for by this request, or what would be left. */
export type LimitUse = 'inUse' | 'asked' | 'left'

/**
 * ERR_LIMIT naming its budget (issue 12): which one, its value and the use that reached it, all from
 * shared/budget-registry.ts (never a number restated here). `max` overrides the value where the
 * engine's live limit differs (a test lowered it, a framed server adds one frame). `advice` says
 * what the learner can do. How to change it: the request's `field` or the server's `params.option`
 * when one sets it (`params.adjust`, which the page and the CLI name in their hints); otherwise the
 * budget is fixed, and the message says so.
 */
export function limitError(
  budget: BudgetName,
  used: number,
  advice: string,
  opts: { use?: LimitUse; field?: string; max?: number; params?: Record<string, string | number> } = {},
): LabError {
  const max = opts.max ?? BUDGETS[budget].value
  const use = opts.use ?? 'inUse'
  const n = (v: number) => v.toLocaleString('en-US')
  const now = use === 'asked' ? `this asks for ${n(used)}` : use === 'left' ? `${n(used)} would be left` : `${n(used)} in use`
  const option = opts.params?.option
  const adjust = opts.field ?? (typeof option === 'string' ? option : undefined)
  const how = adjust ? `change ${adjust}` : 'a fixed limit of the lab'
  return new LabError('ERR_LIMIT', `${BUDGETS[budget].en} (${budget}): at most ${n(max)}, ${now}; ${advice} (${how})`, { ...opts.params, budget, max, used, use, ...(adjust ? { adjust } : {}) }, opts.field)
}
