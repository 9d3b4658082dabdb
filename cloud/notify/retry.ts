import type { DeliveryOutcome } from '../store/store.ts'

const MIN = 60_000

/**
 * The outcome of a failed attempt, alike for alarm and gas-warning pushes: retried after 1, 2,
 * 4 … minutes, recorded `failed` once `maxAttempts` attempts failed.
 */
export function failedAttempt(
  previousAttempts: number,
  maxAttempts: number,
  error: string,
  now: number,
): DeliveryOutcome {
  const attempts = previousAttempts + 1
  return attempts >= maxAttempts
    ? { status: 'failed', attempts, at: now, error }
    : { status: 'pending', attempts, at: now, error, nextAt: now + 2 ** (attempts - 1) * MIN }
}
