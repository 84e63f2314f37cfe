import { QUIT_LIMIT_MS } from '../../shared/budgets'

/**
 * Quitting stops the engine first (servers closed, children killed), but never waits forever
 * for it (docs/SECURITY.md item 31): after `limitMs` the app exits anyway. The children still
 * exit on their own then — they watch their parent (docs/SECURITY.md item 24).
 */
export { QUIT_LIMIT_MS }

export async function closeWithin(close: () => Promise<unknown>, limitMs: number): Promise<'closed' | 'timed-out' | 'failed'> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const limit = new Promise<'timed-out'>((resolve) => {
    timer = setTimeout(() => resolve('timed-out'), limitMs)
  })
  try {
    return await Promise.race([
      Promise.resolve()
        .then(close)
        .then(
          () => 'closed' as const,
          () => 'failed' as const,
        ),
      limit,
    ])
  } finally {
    clearTimeout(timer)
  }
}
