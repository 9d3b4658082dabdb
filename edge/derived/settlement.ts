/**
 * Settlement of a pipe gallery from static-level gauges (brief §6), pure. All gauges of a
 * segment share one liquid line, so anything that moves the whole line (temperature, liquid
 * loss, the base's own drift) moves every gauge alike and cancels against the base point B:
 *
 *   S_i(t) = [h_i(t) − h_i(t0)] − [h_B(t) − h_B(t0)]
 *
 * with t0 the baseline captured at commissioning and h the HEIGHT of each point, so that a
 * measuring point that sinks 2.00 mm reads −2.00 mm. A float gauge reads the liquid level in its
 * own chamber, which rises when the gauge sinks: its height is the negated reading
 * (`heightOf(reading, 'liquid-level')`).
 *
 * Results are rounded to the gauge's resolution (0.01 mm by default), explicitly: the binary
 * sums of readings like 50.13 − 50.00 would otherwise print as −2.0000000000000284.
 */
/** Heights of a measuring point and of its segment's base point, in mm. */
export interface Levels {
  point: number
  base: number
}

export function roundTo(value: number, resolution: number): number {
  const steps = Math.round(value / resolution)
  // Math.round(-0.5) is -0: settlement of nothing is 0, not -0.
  const rounded = Number((steps * resolution).toFixed(Math.max(0, -Math.floor(Math.log10(resolution)))))
  return rounded === 0 ? 0 : rounded
}

/** What a gauge's reading means: the liquid level above its zero, or the point's height. */
export type ReadingSense = 'liquid-level' | 'height'

export const heightOf = (reading: number, sense: ReadingSense): number => (sense === 'height' ? reading : -reading)

/** Settlement in mm from heights (negative: the point sank relative to the base). */
export function settlement(now: Levels, baseline: Levels, resolution = 0.01): number {
  return roundTo(now.point - baseline.point - (now.base - baseline.base), resolution)
}

/** Differential settlement between neighbouring measuring points along the gallery. */
export function differential(settlementA: number, settlementB: number, resolution = 0.01): number {
  return roundTo(settlementA - settlementB, resolution)
}
