import { z } from 'zod'
import { TopicId } from '../../shared/wire/ids.ts'
import { PointClass } from '../../shared/rules/priority.ts'
import { PlacementFields, placementPairs, type PlacedAt } from './placement.ts'

/**
 * The registry as the API and the CSV import see it (brief §4): enterprises, their hazard
 * sources (重大危险源, MHS level 1 highest … 4) and areas/units, and each point's provincial
 * monitoring-indicator fields (exchange set #152). Level-1 upper = H (高报), level-2 upper = HH
 * (高高报), level-1 lower = L (低报), level-2 lower = LL (低低报).
 */
const Text = (max: number) => z.string().trim().min(1).max(max)
export const Cas = z.string().regex(/^\d{2,7}-\d{2}-\d$/, 'a CAS number looks like 7664-41-7')

// Enterprises and hazard sources carry an optional plan placement (registry/placement.ts, issue 17).
const EnterpriseFields = z.strictObject({ id: TopicId, name: Text(128), ...PlacementFields })
export const EnterpriseBody = EnterpriseFields.superRefine(placementPairs)
export const EnterprisePatch = EnterpriseFields.omit({ id: true }).partial().superRefine(placementPairs)
const HazardSourceFields = z.strictObject({
  id: TopicId,
  enterprise: TopicId,
  name: Text(128),
  level: z.number().int().min(1).max(4),
  ...PlacementFields,
})
export const HazardSourceBody = HazardSourceFields.superRefine(placementPairs)
export const HazardSourcePatch = HazardSourceFields.omit({ id: true, enterprise: true })
  .partial()
  .superRefine(placementPairs)
export const AreaBody = z.strictObject({
  id: TopicId,
  enterprise: TopicId,
  name: Text(128),
  kind: Text(64).nullable().optional(),
})
export const AreaPatch = AreaBody.omit({ id: true, enterprise: true }).partial()

/** An edge's binding (issue 13): its one site, its enterprise (null: the park's edge), its claim policy (null: the config's). */
export const EdgeBody = z.strictObject({
  id: TopicId,
  site: TopicId,
  enterprise: TopicId.nullable().default(null),
  claim: z.enum(['strict', 'open']).nullable().default(null),
})
export const EdgePatch = z.strictObject({
  site: TopicId.optional(),
  enterprise: TopicId.nullable().optional(),
  claim: z.enum(['strict', 'open']).nullable().optional(),
})
export type EdgeEntry = z.infer<typeof EdgeBody>
/** Moves a point (or camera) to the edge that may send it from now on; null unbinds a point (the claim policy decides who takes it next). */
export const MoveBody = z.strictObject({ edge: TopicId.nullable() })

export type Enterprise = { id: string; name: string } & PlacedAt
export type HazardSource = { id: string; enterprise: string; name: string; level: number } & PlacedAt
export interface Area {
  id: string
  enterprise: string
  name: string
  kind: string | null
}

/** The registry fields of a point that the API may change (null clears a field). */
export const PointPatch = z.strictObject({
  name: Text(128).optional(),
  enterprise: TopicId.optional(),
  class: PointClass.optional(),
  unit: Text(32).nullable().optional(),
  unitCode: z
    .string()
    .regex(/^\d{2}$/, 'a unit code has two digits (01 m³ … 11 L)')
    .nullable()
    .optional(),
  substance: Text(128).nullable().optional(),
  cas: Cas.nullable().optional(),
  rangeLow: z.number().finite().nullable().optional(),
  rangeHigh: z.number().finite().nullable().optional(),
  hazardSource: TopicId.nullable().optional(),
  area: TopicId.nullable().optional(),
  /** Thresholds: h = level-1 upper, hh = level-2 upper, l = level-1 lower, ll = level-2 lower. */
  h: z.number().finite().nullable().optional(),
  hh: z.number().finite().nullable().optional(),
  l: z.number().finite().nullable().optional(),
  ll: z.number().finite().nullable().optional(),
})
export type PointPatch = z.infer<typeof PointPatch>
export const THRESHOLD_KEYS = ['h', 'hh', 'l', 'll'] as const

/** A point as the registry shows it. */
export interface RegistryPoint {
  id: string
  name: string | null
  enterprise: string | null
  class: string | null
  unit: string | null
  unitCode: string | null
  substance: string | null
  cas: string | null
  rangeLow: number | null
  rangeHigh: number | null
  hazardSource: string | null
  area: string | null
  h: number | null
  hh: number | null
  l: number | null
  ll: number | null
}

/** A point created by import: id, name, enterprise and class are required. */
export const PointCreate = PointPatch.required({ name: true, enterprise: true, class: true }).extend({ id: TopicId })
export type PointCreate = z.infer<typeof PointCreate>

/** Cross-field checks on a point as it would be stored; each message says what to fix. */
export function pointProblems(p: Omit<RegistryPoint, 'id'>): string[] {
  const out: string[] = []
  if (p.rangeLow !== null && p.rangeHigh !== null && p.rangeLow >= p.rangeHigh)
    out.push('量程下限 (rangeLow) must be below 量程上限 (rangeHigh)')
  if (p.hh !== null && p.h !== null && p.hh < p.h) out.push('二级阈值上限 (hh) must be ≥ 一级阈值上限 (h)')
  if (p.ll !== null && p.l !== null && p.ll > p.l) out.push('二级阈值下限 (ll) must be ≤ 一级阈值下限 (l)')
  if (p.h !== null && p.l !== null && p.h <= p.l) out.push('一级阈值上限 (h) must be above 一级阈值下限 (l)')
  return out
}
