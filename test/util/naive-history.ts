import type { StoredSample } from '../../cloud/store/repos/telemetry.ts'
import type { Sample } from '../../shared/wire/sample.ts'

/**
 * The answers the row-per-sample store gave, computed naively from the samples a test stored:
 * the referee of the historian's reads (cloud/store/sqlite/historian-reads.test.ts, the store
 * conformance suite's telemetry section).
 */

/** The row-per-sample store's order: by time, ties in arrival order; -0 stored as 0. */
export function expected(list: readonly Sample[], point: string): StoredSample[] {
  return list
    .filter((s) => s.point === point)
    .map(({ point: _, ...s }) => (Object.is(s.value, -0) ? { ...s, value: 0 } : s))
    .sort((a, b) => a.ts - b.ts)
}

/** Bucket figures computed naively from the samples (good numbers; booleans as 1/0). */
export function naiveBuckets(list: readonly StoredSample[], plan: { from: number; to: number; step: number }) {
  const rows = new Map<number, StoredSample[]>()
  for (const s of list) {
    if (s.ts < plan.from || s.ts >= plan.to) continue
    const i = Math.floor((s.ts - plan.from) / plan.step)
    rows.set(i, [...(rows.get(i) ?? []), s])
  }
  return [...rows]
    .sort((a, b) => a[0] - b[0])
    .map(([i, inside]) => {
      const nums = inside
        .filter((s) => s.quality === 'good' && (typeof s.value === 'number' || typeof s.value === 'boolean'))
        .map((s) => ({ ts: s.ts, v: typeof s.value === 'boolean' ? Number(s.value) : (s.value as number) }))
      const lastTs = nums.length ? Math.max(...nums.map((n) => n.ts)) : Number.NaN
      return {
        i,
        count: nums.length,
        min: nums.length ? Math.min(...nums.map((n) => n.v)) : null,
        max: nums.length ? Math.max(...nums.map((n) => n.v)) : null,
        avg: nums.length ? nums.reduce((a, n) => a + n.v, 0) / nums.length : null,
        last: nums.findLast((n) => n.ts === lastTs)?.v ?? Number.NaN,
        lastTs,
        notGood: inside.filter((s) => s.quality !== 'good').length,
      }
    })
}
