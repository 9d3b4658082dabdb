import type { PointRules } from '../../shared/rules/evaluate.ts'
import type { SourceLimits } from '../../shared/wire/messages.ts'
import { adoptSourceLimits } from '../alarms/source-limits.ts'
import type { Registry } from '../config.ts'

/**
 * The config file's registry as the columns both engines write (engine-neutral). Applying it
 * (RegistryRepo.applyRegistry) is the engine's transaction; what each point becomes is decided here.
 */
type FilePoint = Registry['points'][number]

/** A file point's alarm rules in the evaluator's units (ms, per minute). */
export function fileRules(p: FilePoint): PointRules | null {
  if (!p.rules) return null
  return {
    onDelayMs: Math.round(p.rules.onDelayS * 1000),
    offDelayMs: Math.round(p.rules.offDelayS * 1000),
    ...(p.rules.roc
      ? {
          roc: {
            limit: p.rules.roc.limitPerMin,
            deadband: p.rules.roc.deadband,
            windowMs: p.rules.roc.windowS * 1000,
            perMs: 60_000,
          },
        }
      : {}),
    ...(p.rules.digital ? { digital: p.rules.digital } : {}),
  }
}

/** A file point's #152 fields (issue 18); what the file leaves out is cleared. */
export const indicatorFields = (p: FilePoint) => ({
  unitCode: p.unitCode ?? null,
  indicatorType: p.indicatorType ?? null,
  substance: p.substance ?? null,
  cas: p.cas ?? null,
  rangeLow: p.rangeLow ?? null,
  rangeHigh: p.rangeHigh ?? null,
  monitorDevice: p.device ?? null,
  lon: p.lon ?? null,
  lat: p.lat ?? null,
})

/**
 * limitsFromSource: the levels last announced by the source, if consistent; else none until a
 * birth brings a consistent set (the birth handler logs why). Otherwise the file's limits.
 */
export function fileLimits(p: FilePoint, announced: SourceLimits | null | undefined) {
  const adopted = p.limitsFromSource ? adoptSourceLimits(announced, p.limits?.deadband ?? 0) : null
  return adopted === null ? (p.limits ?? null) : adopted.ok ? adopted.limits : { deadband: p.limits?.deadband ?? 0 }
}

/** The registry columns a file point sets (a point the file binds to an edge is that edge's; without `edge` the binding stays). */
export function filePointColumns(p: FilePoint, announced: SourceLimits | null | undefined) {
  return {
    name: p.name,
    unit: p.unit,
    enterprise: p.enterprise,
    class: p.class,
    limits: fileLimits(p, announced),
    limitsFromSource: p.limitsFromSource,
    rules: fileRules(p),
    registered: true,
    ...indicatorFields(p),
    ...(p.edge ? { edge: p.edge } : {}),
  }
}

/** What a point that left the file (and was not edited through the API) loses. */
export const UNLISTED_POINT = {
  registered: false,
  enterprise: null,
  class: null,
  limits: null,
  limitsFromSource: false,
  rules: null,
} as const

/** An edge binding from the file. */
export const fileEdgeColumns = (e: Registry['edges'][number]) => ({
  site: e.site,
  enterprise: e.enterprise ?? null,
  claim: e.claim ?? null,
})
