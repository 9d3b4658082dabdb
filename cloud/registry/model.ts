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

export const Longitude = z.number().min(-180).max(180)
export const Latitude = z.number().min(-90).max(90)
const IndicatorTypeCode = z.string().regex(/^[0-9A-Za-z]{1,8}$/, 'an indicator type code such as 03')
const Code2 = (what: string) => z.string().regex(/^\d{2}$/, `${what}: a two-digit code`)

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

/**
 * A monitoring device (issue 18, provincial exchange #152 所属监测设备编码, #153 / #156 device
 * fields). `id` is the device id the edge announces for its points. `category`: #152 关联设备类别
 * (01 hazard-source key parameters, 02 enterprise toxic/combustible, 03 parking lot, 04
 * flammable/explosive gas (#153), 05 public pipeline, 06 utilities, 99 other); `type`: the device
 * type of its data set (#153 01–06/99, #156 01 toxic / 02 combustible).
 */
const DeviceFields = {
  name: Text(128),
  category: Code2('category (关联设备类别)'),
  type: Code2('type (设备类型)').nullable(),
  enabled: z.boolean(),
  lon: Longitude.nullable(),
  lat: Latitude.nullable(),
  location: Text(256).nullable(),
  coverageRadiusM: z.number().positive().nullable(),
  /** 投用日期, YYYY-MM-DD. */
  commissionedOn: z.iso.date().nullable(),
  parkingLot: Text(64).nullable(),
  parkingArea: Text(64).nullable(),
}
export const DeviceBody = z.strictObject({
  id: TopicId,
  enterprise: TopicId,
  ...DeviceFields,
  type: DeviceFields.type.default(null),
  enabled: DeviceFields.enabled.default(true),
  lon: DeviceFields.lon.default(null),
  lat: DeviceFields.lat.default(null),
  location: DeviceFields.location.default(null),
  coverageRadiusM: DeviceFields.coverageRadiusM.default(null),
  commissionedOn: DeviceFields.commissionedOn.default(null),
  parkingLot: DeviceFields.parkingLot.default(null),
  parkingArea: DeviceFields.parkingArea.default(null),
})
export const DevicePatch = z.strictObject({ enterprise: TopicId, ...DeviceFields }).partial()
export type Device = z.infer<typeof DeviceBody>

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
  /** #152 指标类型 (a code of exchange.codeLists.indicatorType; the spec's Appendix A.208 is not in the source). */
  indicatorType: IndicatorTypeCode.nullable().optional(),
  /** #152 所属监测设备编码: a registry device (null: the device the edge announced). */
  monitorDevice: TopicId.nullable().optional(),
  lon: Longitude.nullable().optional(),
  lat: Latitude.nullable().optional(),
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
  indicatorType: string | null
  monitorDevice: string | null
  lon: number | null
  lat: number | null
  h: number | null
  hh: number | null
  l: number | null
  ll: number | null
}

/** The optional registry fields of a point, empty: what an import row or a CSV row leaves out is cleared. */
export const EMPTY_POINT_FIELDS = {
  unit: null,
  unitCode: null,
  substance: null,
  cas: null,
  rangeLow: null,
  rangeHigh: null,
  hazardSource: null,
  area: null,
  indicatorType: null,
  monitorDevice: null,
  lon: null,
  lat: null,
  h: null,
  hh: null,
  l: null,
  ll: null,
} as const satisfies Partial<RegistryPoint>

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
