import type { ThresholdLimits } from './threshold.ts'

/**
 * Gas detector alarm levels by default (GB/T 50493-2019 §5.5.2, brief §4): a combustible gas
 * alarms at level 1 ≤ 25 %LEL and level 2 ≤ 50 %LEL; a toxic gas at level 1 ≤ 100 %OEL and
 * level 2 ≤ 200 %OEL. Level 1 is H, level 2 is HH (jiangsu-exchange #152). A toxic detector that
 * reads ppm or mg/m³ needs the substance's occupational exposure limit (GBZ 2.1) in that unit.
 *
 * The deadband, when not given, is 4 % of level 1 (1 %LEL at 25 %LEL): a reading that hovers at
 * the limit then does not chatter, and a real clearing is still seen at once.
 */
export interface GasPoint {
  unit: string
  /** Occupational exposure limit in the point's unit, for toxic gases measured in ppm or mg/m³. */
  oel?: number | undefined
  limits?: ThresholdLimits | undefined
}

const normalized = (unit: string) => unit.replace(/\s+/g, '').toUpperCase()

/** Level 1 of a gas point by its unit, or null when the unit alone does not tell. */
export function gasLevelOne(point: Pick<GasPoint, 'unit' | 'oel'>): number | null {
  const unit = normalized(point.unit)
  if (unit === '%LEL') return 25
  if (unit === '%OEL') return 100
  if (point.oel !== undefined && point.oel > 0) return point.oel
  return null
}

/** True when the point gives at least one alarm level of its own. */
export const hasLevels = (limits: ThresholdLimits | undefined): boolean =>
  limits !== undefined && [limits.hh, limits.h, limits.l, limits.ll].some((x) => x !== undefined)

/**
 * The limits to use for a gas point: its own when it gives any level (the enterprise's design
 * values win), the GB/T 50493 defaults otherwise, or null when neither exists.
 */
export function gasLimits(point: GasPoint): ThresholdLimits | null {
  if (hasLevels(point.limits)) return point.limits!
  const h = gasLevelOne(point)
  if (h === null) return null
  const given = point.limits?.deadband
  return { h, hh: 2 * h, deadband: given !== undefined && given > 0 ? given : Number((h * 0.04).toPrecision(6)) }
}
