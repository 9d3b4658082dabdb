import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'
import { gasLimits, hasLevels } from '../../shared/rules/gas.ts'
import type { ThresholdLimits } from '../../shared/rules/threshold.ts'
import { pointProblems, THRESHOLD_KEYS, type Device, type RegistryPoint } from '../registry/model.ts'
import { placementOf } from '../registry/placement.ts'
import type { Entry, EntryKind } from './registry-store.ts'

/**
 * The registry's rules and row mapping, engine-neutral: both engines (cloud/store/sqlite,
 * cloud/store/postgres) read the rows, call these, and write what they return, so a refusal,
 * a message or a computed limit cannot differ between them.
 */
export const WHAT: Record<EntryKind, string> = {
  enterprises: 'enterprise',
  hazardSources: 'hazard source',
  areas: 'area',
  edges: 'edge',
  devices: 'device',
}
/** Entries the config file's registry also writes: once edited here, the file leaves them alone. */
export const SEEDED: ReadonlySet<EntryKind> = new Set<EntryKind>(['enterprises', 'edges', 'devices'])

export const bad = (message: string, hint: string) => new ParklinkError(ErrorCodes.BAD_REQUEST, message, { hint })
export const conflict = (message: string, hint: string) =>
  new ParklinkError(ErrorCodes.STATE_CONFLICT, message, { hint })

export function entryOf(kind: EntryKind, row: Record<string, unknown>): Entry {
  if (kind === 'enterprises') return { id: row.id as string, name: row.name as string, ...placementOf(row as never) }
  if (kind === 'edges')
    return {
      id: row.id as string,
      site: row.site as string,
      enterprise: (row.enterprise as string | null) ?? null,
      claim: (row.claim as 'strict' | 'open' | null) ?? null,
    }
  if (kind === 'devices') {
    const { managed: _managed, ...device } = row as Device & { managed: boolean }
    return device
  }
  if (kind === 'hazardSources')
    return {
      id: row.id as string,
      enterprise: row.enterprise as string,
      name: row.name as string,
      level: row.level as number,
      ...placementOf(row as never),
    }
  return {
    id: row.id as string,
    enterprise: row.enterprise as string,
    name: row.name as string,
    kind: (row.kind as string | null) ?? null,
  }
}

/** The columns of a points row the registry reads (the same names on both engines' schemas): the registry's point with its limits as stored. */
export type PointRow = Omit<RegistryPoint, (typeof THRESHOLD_KEYS)[number]> & { limits: ThresholdLimits | null }

export function pointOf(row: PointRow): RegistryPoint {
  const l = row.limits
  return {
    id: row.id,
    name: row.name,
    enterprise: row.enterprise,
    class: row.class as RegistryPoint['class'],
    unit: row.unit,
    unitCode: row.unitCode,
    substance: row.substance,
    cas: row.cas,
    rangeLow: row.rangeLow,
    rangeHigh: row.rangeHigh,
    hazardSource: row.hazardSource,
    area: row.area,
    indicatorType: row.indicatorType,
    monitorDevice: row.monitorDevice,
    lon: row.lon,
    lat: row.lat,
    h: l?.h ?? null,
    hh: l?.hh ?? null,
    l: l?.l ?? null,
    ll: l?.ll ?? null,
  }
}

/** What a point's record refers to, as the engine read it (null: named but missing, or not named). */
export interface PointRefs {
  enterprise: Entry | null
  hazardSource: { enterprise: string } | null
  area: { enterprise: string } | null
  device: Entry | null
}

/** A point names an existing enterprise, its own enterprise's hazard source and area, an existing device, and sane thresholds. */
export function checkPoint(p: RegistryPoint, refs: PointRefs): void {
  if (p.enterprise === null) throw bad(`point ${p.id} has no enterprise`, 'name its enterprise (enterprise / 企业)')
  if (!refs.enterprise)
    throw bad(`no enterprise ${p.enterprise}`, 'create it first with POST /api/v1/registry/enterprises')
  for (const kind of ['hazardSources', 'areas'] as const) {
    const ref = kind === 'areas' ? p.area : p.hazardSource
    const e = kind === 'areas' ? refs.area : refs.hazardSource
    if (ref === null) continue
    if (!e || e.enterprise !== p.enterprise)
      throw bad(
        `point ${p.id}: enterprise ${p.enterprise} has no ${WHAT[kind]} ${ref}`,
        `create it under /api/v1/registry/${kind === 'areas' ? 'areas' : 'hazard-sources'} first, or leave the field empty`,
      )
  }
  if (p.monitorDevice !== null && !refs.device)
    throw bad(
      `point ${p.id}: no device ${p.monitorDevice}`,
      'create it first with POST /api/v1/registry/devices, or leave monitorDevice empty',
    )
  const problems = pointProblems(p)
  if (problems.length > 0) throw bad(`point ${p.id}: ${problems.join('; ')}`, 'correct the thresholds or the range')
}

/**
 * A point's registry record as the columns the engine writes: its thresholds become the alarm
 * engine's limits (the stored deadband kept), a gas point without levels gets GB/T 50493's, and
 * limits announced by the source stay until thresholds are given here.
 */
export function pointColumns(
  p: RegistryPoint,
  old: { limits: ThresholdLimits | null; fromSource: boolean } | null,
  thresholdsGiven: boolean,
) {
  const limits: ThresholdLimits = { deadband: old?.limits?.deadband ?? 0 }
  for (const k of THRESHOLD_KEYS) if (p[k] !== null) limits[k] = p[k]
  const gas = p.class === 'gas' && !hasLevels(limits) ? gasLimits({ unit: p.unit ?? '', limits }) : null
  if (gas) Object.assign(limits, gas)
  const fromSource = thresholdsGiven ? false : (old?.fromSource ?? false)
  return {
    name: p.name,
    enterprise: p.enterprise,
    class: p.class,
    unit: p.unit,
    unitCode: p.unitCode,
    substance: p.substance,
    cas: p.cas,
    rangeLow: p.rangeLow,
    rangeHigh: p.rangeHigh,
    hazardSource: p.hazardSource,
    area: p.area,
    indicatorType: p.indicatorType,
    monitorDevice: p.monitorDevice,
    lon: p.lon,
    lat: p.lat,
    limits: fromSource ? (old?.limits ?? null) : limits,
    limitsFromSource: fromSource,
    registered: true,
    managed: true,
  }
}

/** What unregistering a point clears (it stays as an edge-announced point without limits). */
export const UNREGISTERED_POINT = {
  registered: false,
  managed: true,
  enterprise: null,
  class: null,
  limits: null,
  limitsFromSource: false,
  hazardSource: null,
  area: null,
} as const

/** Which points column refers to an entry of this kind (a removal is refused while one does). */
export const POINT_REFERENCE: Record<EntryKind, PointReference> = {
  enterprises: 'enterprise',
  areas: 'area',
  edges: 'edge',
  devices: 'monitorDevice',
  hazardSources: 'hazardSource',
}
export type PointReference = 'enterprise' | 'area' | 'edge' | 'monitorDevice' | 'hazardSource'

/** Refuses removing an entry still used by points, or by hazard sources/areas (an enterprise) or cameras (an edge). */
export function checkRemoval(kind: EntryKind, id: string, users: number, children: number): void {
  if (users + children > 0)
    throw conflict(
      `${WHAT[kind]} ${id} is still used by ${users} point(s) and ${children} ${kind === 'edges' ? 'camera(s)' : 'hazard source(s)/area(s)'}`,
      kind === 'edges'
        ? 'move its points and cameras to another edge first (PUT /api/v1/registry/points/{id}/edge)'
        : 'move or unregister those first',
    )
}

/** An enterprise's point or camera goes only to that enterprise's edge or to the park's (issue 13). */
export function checkSameEnterprise(
  what: string,
  enterprise: string | null,
  edge: string,
  edgeEnterprise: string | null | undefined,
): void {
  if (edgeEnterprise != null && enterprise !== null && edgeEnterprise !== enterprise) {
    throw conflict(
      `${what} belongs to enterprise ${enterprise}; edge ${edge} is registered to ${edgeEnterprise}`,
      "bind it to an edge of its own enterprise, or to the park's edge",
    )
  }
}

/** Import: a point counts as changed when new or when its record differs. */
export const changed = (before: RegistryPoint | null, after: RegistryPoint): boolean =>
  !before || JSON.stringify(before) !== JSON.stringify(after)

/** Thrown inside an import's transaction to roll a dry run back. */
export const DRY_RUN = Symbol('dry run: roll back')
