import type { ChatterConfig } from '../../../shared/rules/chatter.ts'
import type { PointRules } from '../../../shared/rules/evaluate.ts'
import type { PointClass, PriorityMatrix } from '../../../shared/rules/priority.ts'
import type { ThresholdLimits } from '../../../shared/rules/threshold.ts'
import type { EdgeRule, EdgeRuleSet } from '../../../shared/wire/bundle.ts'

/** What the registry holds of one point an edge owns (cloud/store: points.edge = the edge). */
export interface OwnedPointFacts {
  id: string
  class: PointClass | null
  /**
   * The limits the cloud's engine uses: the registry's (a gas point without levels has the GB/T
   * 50493 defaults from its unit already, shared/rules/gas.ts), or the source's for limitsFromSource.
   */
  limits: ThresholdLimits | null
  rules: PointRules | null
}

/**
 * The alarm rules one edge receives in its config bundle (issue 19): for every point it owns
 * that the cloud alarms on, exactly what the cloud's engine evaluates (cloud/alarms/engine/point.ts
 * rulePointOf): the limits with their deadband, the on/off delays, rate of change and digital
 * state, the park's priority matrix and chattering latch. Nothing is re-derived here (gas
 * defaults included): the edge gets the cloud's own limits, so both judge alike. Pure; sorted by
 * point id, so the same registry gives the same bundle.
 */
export function edgeRuleSet(
  points: readonly OwnedPointFacts[],
  park: { priorities: PriorityMatrix; chatter: ChatterConfig },
): EdgeRuleSet {
  const rules = points
    .map(ruleOf)
    .filter((r): r is EdgeRule => r !== null)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  return { points: rules, priorities: park.priorities, chatter: park.chatter }
}

function ruleOf(p: OwnedPointFacts): EdgeRule | null {
  const limits = p.limits
  const rules = compactRules(p.rules)
  if (limits === null && rules === undefined) return null
  return { id: p.id, class: p.class ?? 'general', limits, ...(rules ? { rules } : {}) }
}

/** Only what changes evaluation: zero delays and absent rules are left out. */
function compactRules(r: PointRules | null): PointRules | undefined {
  if (!r) return undefined
  const out: PointRules = {
    ...(r.onDelayMs ? { onDelayMs: r.onDelayMs } : {}),
    ...(r.offDelayMs ? { offDelayMs: r.offDelayMs } : {}),
    ...(r.roc ? { roc: r.roc } : {}),
    ...(r.digital ? { digital: r.digital } : {}),
  }
  return Object.keys(out).length > 0 ? out : undefined
}
