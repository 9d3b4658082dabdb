/**
 * Polls a condition until it yields a truthy value (returned) or the bound expires. For tests
 * on real sockets and processes, where fake timers cannot apply: waiting for a CONDITION instead
 * of sleeping a fixed time keeps them fast on a quick machine and correct on a slow one.
 */
export interface WaitOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number
  /** Pause between polls (default 25 ms). */
  intervalMs?: number
  /** What failed, for the error (computed only on failure, so it may read logs). */
  message?: string | (() => string)
}

export async function waitFor<T>(cond: () => T | Promise<T>, options: WaitOptions = {}): Promise<NonNullable<T>> {
  const { timeoutMs = 10_000, intervalMs = 25 } = options
  const deadline = Date.now() + timeoutMs
  let lastError: unknown = null
  for (;;) {
    try {
      const value = await cond()
      if (value) return value as NonNullable<T>
      lastError = null
    } catch (err) {
      // A condition that throws (e.g. a server not up yet) is "not yet", but the last error is kept for the report.
      lastError = err
    }
    if (Date.now() >= deadline) {
      const what = typeof options.message === 'function' ? options.message() : (options.message ?? 'condition not met')
      const why = lastError
        ? ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})`
        : ''
      throw new Error(`waitFor: ${what} within ${timeoutMs} ms${why}`)
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}
