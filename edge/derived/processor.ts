import type { Logger } from 'pino'
import type { Clock } from '../../shared/clock.ts'
import { QualityReasons } from '../../shared/quality.ts'
import { RateConfig, evaluateRate, initialRateState, type RateState } from '../../shared/rules/rate.ts'
import type { PointInfo } from '../../shared/wire/messages.ts'
import { badSample, goodSample, type Sample } from '../../shared/wire/sample.ts'
import type { BaselineRecord, BaselineStore } from './baselines.ts'
import { derivedIds, type SettlementConfig } from './config.ts'
import { differential, heightOf, settlement } from './settlement.ts'

/**
 * Turns gauge readings into settlement points as they arrive (the agent feeds it every batch
 * and appends what it returns to the same outbox append). Also fulfils baseline requests:
 * the first moment every point of a requested segment has a good, recent reading.
 */
export interface SettlementProcessor {
  /** The derived points, for the birth message. */
  points(): PointInfo[]
  process(samples: readonly Sample[]): Sample[]
}

const DAY_MS = 86_400_000
const PENDING_CHECK_MS = 1_000

interface Reading {
  ts: number
  value: number | null
  reason?: string
}

export function createSettlementProcessor(
  config: SettlementConfig,
  store: BaselineStore,
  clock: Clock,
  log: Logger,
): SettlementProcessor {
  const segmentOf = new Map<string, SettlementConfig['segments'][number]>()
  for (const s of config.segments) for (const p of [s.base, ...s.points]) segmentOf.set(p, s)
  const order = config.order ?? config.segments.flatMap((s) => s.points)
  const next = new Map(order.slice(0, -1).map((p, i) => [p, order[i + 1]!]))
  const latest = new Map<string, Reading>()
  const settled = new Map<string, { ts: number; value: number }>()
  const rates = new Map<string, RateState>()
  const rateConfig = RateConfig.parse({
    limit: Number.MAX_VALUE,
    windowMs: Math.round(config.rateWindowH * 3_600_000),
    perMs: DAY_MS,
  })
  let baselines = store.current()
  let checkedAt = -Infinity
  const missingBaseline = new Set<string>()

  const height = (value: number) => heightOf(value, config.reading)
  const fresh = (a: number, b: number) => Math.abs(a - b) <= config.maxSkewMs

  const fulfilPending = () => {
    const now = clock.now()
    if (now - checkedAt < PENDING_CHECK_MS) return
    checkedAt = now
    for (const req of store.pending()) {
      const seg = config.segments.find((s) => s.id === req.segment)
      if (!seg) continue
      const readings = [seg.base, ...seg.points].map((p) => [p, latest.get(p)] as const)
      const ready = readings.every(([, r]) => r !== undefined && r.value !== null && now - r.ts <= config.maxSkewMs)
      if (!ready) continue
      const values = Object.fromEntries(readings.map(([p, r]) => [p, r!.value!]))
      store.fulfil(req.id, values, now)
      baselines = store.current()
      missingBaseline.delete(seg.id)
      log.warn(
        { segment: seg.id, by: req.by, reason: req.reason, values, request: req.id },
        'settlement baseline captured: settlement is measured from these readings on',
      )
    }
  }

  const compute = (
    point: string,
    seg: SettlementConfig['segments'][number],
    baseline: BaselineRecord,
    out: Sample[],
  ) => {
    const ids = derivedIds(point)
    const r = latest.get(point)
    const b = latest.get(seg.base)
    if (!r || !b) return
    const ts = Math.max(r.ts, b.ts)
    const badInput = r.value === null ? ([point, r] as const) : b.value === null ? ([seg.base, b] as const) : null
    if (badInput) {
      const reason =
        `${QualityReasons.SOURCE}:input ${badInput[0]} bad${badInput[1].reason ? ` (${badInput[1].reason})` : ''}`.slice(
          0,
          256,
        )
      out.push(badSample(ids.settlement, ts, reason), badSample(ids.rate, ts, reason))
      if (next.has(point)) out.push(badSample(ids.diff, ts, reason))
      return
    }
    if (!fresh(r.ts, b.ts)) return
    const t0 = baseline.values!
    const s = settlement(
      { point: height(r.value!), base: height(b.value!) },
      { point: height(t0[point]!), base: height(t0[seg.base]!) },
      config.resolutionMm,
    )
    settled.set(point, { ts, value: s })
    out.push(goodSample(ids.settlement, ts, s))
    const rate = evaluateRate(rateConfig, rates.get(point) ?? initialRateState(), { ts, value: s, quality: 'good' })
    rates.set(point, rate.state)
    if (rate.rate !== null) out.push(goodSample(ids.rate, ts, Math.round(rate.rate * 1000) / 1000))
    const neighbour = next.get(point)
    const other = neighbour === undefined ? undefined : settled.get(neighbour)
    if (other && fresh(other.ts, ts))
      out.push(goodSample(ids.diff, ts, differential(s, other.value, config.resolutionMm)))
  }

  return {
    points() {
      return config.segments.flatMap((seg) =>
        seg.points.flatMap((p) => {
          const ids = derivedIds(p)
          return [
            { id: ids.settlement, name: `${seg.id} ${p} 累计沉降`, unit: 'mm', device: 'settlement' },
            { id: ids.rate, name: `${seg.id} ${p} 沉降速率`, unit: 'mm/d', device: 'settlement' },
            ...(next.has(p)
              ? [{ id: ids.diff, name: `${seg.id} ${p} 差异沉降`, unit: 'mm', device: 'settlement' }]
              : []),
          ]
        }),
      )
    },

    process(samples) {
      const touched = new Set<string>()
      for (const s of samples) {
        const seg = segmentOf.get(s.point)
        if (!seg) continue
        const value = s.quality !== 'bad' && typeof s.value === 'number' && Number.isFinite(s.value) ? s.value : null
        const prev = latest.get(s.point)
        if (prev && s.ts < prev.ts) continue // late: not live
        latest.set(
          s.point,
          value === null ? { ts: s.ts, value: null, reason: s.reason ?? 'not a number' } : { ts: s.ts, value },
        )
        if (s.point === seg.base) seg.points.forEach((p) => touched.add(p))
        else touched.add(s.point)
      }
      if (touched.size === 0) return []
      fulfilPending()
      const out: Sample[] = []
      // Along the gallery, so a point's neighbour is computed before the point's difference to it.
      for (const point of [...touched].sort((a, b) => order.indexOf(b) - order.indexOf(a))) {
        const seg = segmentOf.get(point)!
        const baseline = baselines.get(seg.id)
        if (!baseline?.values) {
          if (!missingBaseline.has(seg.id))
            log.warn(
              { segment: seg.id },
              'no settlement baseline for this segment yet: capture one with `parklink edge baseline`',
            )
          missingBaseline.add(seg.id)
          continue
        }
        compute(point, seg, baseline, out)
      }
      return out
    },
  }
}
