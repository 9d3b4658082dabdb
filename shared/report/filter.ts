import type { Sample } from '../wire/sample.ts'
import type { ResolvedReport } from './spec.ts'

/**
 * Report-by-exception filter of ONE point (pure: state in, state out). Samples must be offered
 * in the point's order; the result lists the samples to send now, in time order.
 *
 * - `anchor` is the last sample kept; `held` the newest sample seen and not (yet) kept.
 * - deadband: a numeric sample is kept when it differs from the anchor by more than the band.
 * - SDT: the held sample is the candidate end of the current segment. A new sample may replace
 *   it when the straight line anchor → new sample passes within the deviation of every sample
 *   in between (their corridor: slopes [lo, hi] seen from the anchor). Otherwise the held
 *   sample is kept and becomes the anchor. So linear interpolation between kept samples is
 *   never farther than the deviation from any dropped sample (a variant of swinging door that
 *   keeps real samples and bounds the error by the deviation, not twice it). The cost: the
 *   newest sample of a point travels one sample period later, when its successor decides.
 * - forced refresh: when a sample comes more than maxSilenceMs after the anchor, the held
 *   sample (which is within maxSilenceMs) is kept first, so a point sampled at least that often
 *   never shows a longer silence; a point whose source went quiet longer is kept as it comes.
 * - a change of quality or reason (e.g. good → bad and back) keeps the last sample before it
 *   and the first after it; non-numeric values (booleans, states, null) are kept on change.
 * - a sample not newer than the last one seen is passed through unchanged (never dropped).
 */
export interface FilterState {
  anchor: Sample | null
  held: Sample | null
  /** SDT corridor of the samples strictly between anchor and held (slopes per ms). */
  lo: number
  hi: number
}

export const initialFilterState = (): FilterState => ({ anchor: null, held: null, lo: -Infinity, hi: Infinity })

const numeric = (s: Sample): s is Sample & { value: number } =>
  s.quality === 'good' && typeof s.value === 'number' && Number.isFinite(s.value)
const sameKind = (a: Sample, b: Sample) =>
  a.quality === b.quality &&
  a.reason === b.reason &&
  typeof a.value === typeof b.value &&
  (a.value === null) === (b.value === null)

export function offerSample(
  report: ResolvedReport,
  state: FilterState,
  s: Sample,
): { state: FilterState; keep: Sample[] } {
  const keep: Sample[] = []
  let { anchor, held, lo, hi } = state
  const keepHeld = () => {
    if (held) keep.push(held)
    anchor = held ?? anchor
    held = null
    lo = -Infinity
    hi = Infinity
  }
  const keepThis = () => {
    keep.push(s)
    anchor = s
    held = null
    lo = -Infinity
    hi = Infinity
  }
  const done = () => ({ state: { anchor, held, lo, hi }, keep })

  const last = held ?? anchor
  if (report.mode === 'all' || anchor === null || last === null) return (keepThis(), done())
  if (s.ts <= last.ts) return { state, keep: [s] }
  if (s.ts - anchor.ts > report.maxSilenceMs) {
    keepHeld()
    if (s.ts - anchor.ts > report.maxSilenceMs) return (keepThis(), done())
  }
  if (!sameKind(last, s)) {
    // A transition: the last sample before it and the first after it both count.
    keepHeld()
    return (keepThis(), done())
  }
  if (!numeric(s) || !numeric(anchor)) {
    if (s.value !== anchor.value || s.quality !== anchor.quality || s.reason !== anchor.reason)
      return (keepThis(), done())
    held = s
    return done()
  }
  if (report.mode === 'deadband') {
    if (Math.abs(s.value - anchor.value) > report.band) return (keepThis(), done())
    held = s
    return done()
  }
  // SDT. With a held candidate, it becomes one of the samples in between: narrow the corridor.
  if (held && numeric(held)) {
    const dt = held.ts - anchor.ts
    const nextLo = Math.max(lo, (held.value - report.band - anchor.value) / dt)
    const nextHi = Math.min(hi, (held.value + report.band - anchor.value) / dt)
    const slope = (s.value - anchor.value) / (s.ts - anchor.ts)
    if (slope >= nextLo && slope <= nextHi) {
      lo = nextLo
      hi = nextHi
      held = s
      return done()
    }
    keepHeld()
  }
  held = s
  return done()
}

/** Ends the stream (e.g. for a test or a final flush): the held sample, if any, is kept. */
export function flushFilter(state: FilterState): { state: FilterState; keep: Sample[] } {
  if (!state.held) return { state, keep: [] }
  return { state: { anchor: state.held, held: null, lo: -Infinity, hi: Infinity }, keep: [state.held] }
}

/**
 * One point's series through the filter, oldest first: what it keeps, and (with `flush`) the
 * sample still held at the end, as the edge writes it at stop.
 */
export function filterSeries(
  report: ResolvedReport,
  samples: readonly Sample[],
  options: { flush: boolean },
): Sample[] {
  let state = initialFilterState()
  const kept: Sample[] = []
  for (const s of samples) {
    const r = offerSample(report, state, s)
    state = r.state
    kept.push(...r.keep)
  }
  if (options.flush) kept.push(...flushFilter(state).keep)
  return kept
}
