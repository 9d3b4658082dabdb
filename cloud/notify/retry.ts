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

/** Pushes claimed at once (issue 16): a round claims batch after batch, up to ROUND_LIMIT. */
export const CLAIM_BATCH = 20
/** Pushes one round sends at most (the next round, a few seconds later, goes on). */
export const ROUND_LIMIT = 500

/**
 * How long a claim keeps a batch from other dispatchers: every push of the batch timing out on
 * its slower channel, with a margin. A dispatcher that dies mid-batch leaves the rest due again
 * after this.
 */
export function claimLeaseMs(config: { webhook?: { timeoutMs: number }; sms?: { timeoutMs: number } }): number {
  const slowest = Math.max(config.webhook?.timeoutMs ?? 0, config.sms?.timeoutMs ?? 0, 5_000)
  return CLAIM_BATCH * (slowest + 1_000) + 30_000
}

/** Claims batch after batch (`claim`) and hands each push to `send`, until one comes back short or ROUND_LIMIT. */
export async function claimRounds<D>(claim: (limit: number) => Promise<D[]>, send: (d: D) => Promise<void>) {
  for (let claimed = 0; claimed < ROUND_LIMIT; ) {
    const batch = await claim(Math.min(CLAIM_BATCH, ROUND_LIMIT - claimed))
    claimed += batch.length
    for (const d of batch) await send(d)
    if (batch.length < CLAIM_BATCH) return
  }
}
