import type { Sample, Value } from '../shared/wire/sample.ts'
import { isClockSkewed } from '../shared/rules/time-check.ts'

/**
 * The agent's latest value per point, for the local console: what was read last (good or not)
 * and, separately, the last GOOD value and when — a point that went bad still shows what it
 * read before, and a device's "last good read" is the newest of its points'.
 */
export interface LatestValue {
  point: string
  device: string
  ts: number
  value: Value
  quality: Sample['quality']
  reason?: string
  lastGoodTs: number | null
  lastGoodValue: Value
}

export interface LatestValues {
  update(device: string, samples: readonly Sample[]): void
  /** Every point seen, sorted by point id. */
  list(): LatestValue[]
  /** The newest good read of each device (epoch ms). */
  lastGoodByDevice(): Map<string, number>
}

export function createLatestValues(): LatestValues {
  const byPoint = new Map<string, LatestValue>()
  return {
    update(device, samples) {
      for (const s of samples) {
        const prev = byPoint.get(s.point)
        // An older sample (a late resend, a source clock behind) never replaces a newer one; a
        // sample whose time is outside the window (clock_skew) never pins the value over a
        // trusted one, and a trusted one always replaces it (issue 14).
        if (prev && !isClockSkewed(prev) && (s.ts < prev.ts || isClockSkewed(s))) continue
        const good = s.quality === 'good'
        byPoint.set(s.point, {
          point: s.point,
          device,
          ts: s.ts,
          value: s.value,
          quality: s.quality,
          ...(s.reason === undefined ? {} : { reason: s.reason }),
          lastGoodTs: good ? s.ts : (prev?.lastGoodTs ?? null),
          lastGoodValue: good ? s.value : (prev?.lastGoodValue ?? null),
        })
      }
    },
    list: () => [...byPoint.values()].sort((a, b) => (a.point < b.point ? -1 : a.point > b.point ? 1 : 0)),
    lastGoodByDevice() {
      const out = new Map<string, number>()
      for (const v of byPoint.values()) {
        if (v.lastGoodTs !== null && v.lastGoodTs > (out.get(v.device) ?? -1)) out.set(v.device, v.lastGoodTs)
      }
      return out
    },
  }
}
