import { gasLimits, hasLevels } from '../../../shared/rules/gas.ts'
import { and, eq, sql } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import { ErrorCodes, ParklinkError } from '../../../shared/errors.ts'
import type { ThresholdLimits } from '../../../shared/rules/threshold.ts'
import type { Scope } from '../../auth/roles.ts'
import {
  EMPTY_POINT_FIELDS,
  pointProblems,
  THRESHOLD_KEYS,
  type PointCreate,
  type PointPatch,
  type RegistryPoint,
} from '../../registry/model.ts'
import {
  placementColumns,
  placementOf,
  splitPlacement,
  type PlacedAt,
  type Placement,
} from '../../registry/placement.ts'
import type { Binding, Change, Entry, EntryKind } from '../registry-store.ts'
import type { Db } from './db.ts'
import { areas, cameras, devices, enterprises, hazardSources, points, registryEdges } from './schema.ts'
import { inScope } from './scope.ts'

type Tx = Pick<Db, 'select' | 'insert' | 'update' | 'delete'>
// One shape for the three entry tables: what the generic CRUD needs of each.
const TABLES = { enterprises, hazardSources, areas, edges: registryEdges, devices } as const
const scopeColumn = (kind: EntryKind): SQLiteColumn =>
  kind === 'enterprises' ? enterprises.id : TABLES[kind].enterprise
const WHAT: Record<EntryKind, string> = {
  enterprises: 'enterprise',
  hazardSources: 'hazard source',
  areas: 'area',
  edges: 'edge',
  devices: 'device',
}
/** Entries the config file's registry also writes: once edited here, the file leaves them alone. */
const SEEDED = new Set<EntryKind>(['enterprises', 'edges', 'devices'])

const bad = (message: string, hint: string) => new ParklinkError(ErrorCodes.BAD_REQUEST, message, { hint })
const conflict = (message: string, hint: string) => new ParklinkError(ErrorCodes.STATE_CONFLICT, message, { hint })

function entryOf(kind: EntryKind, row: Record<string, unknown>): Entry {
  if (kind === 'enterprises') return { id: row.id as string, name: row.name as string, ...placementOf(row) }
  if (kind === 'edges')
    return {
      id: row.id as string,
      site: row.site as string,
      enterprise: (row.enterprise as string | null) ?? null,
      claim: (row.claim as 'strict' | 'open' | null) ?? null,
    }
  if (kind === 'devices') {
    const { managed: _managed, ...device } = row as typeof devices.$inferSelect
    return device
  }
  if (kind === 'hazardSources')
    return {
      id: row.id as string,
      enterprise: row.enterprise as string,
      name: row.name as string,
      level: row.level as number,
      ...placementOf(row),
    }
  return {
    id: row.id as string,
    enterprise: row.enterprise as string,
    name: row.name as string,
    kind: (row.kind as string | null) ?? null,
  }
}

function getEntry(tx: Tx, kind: EntryKind, id: string): Entry | null {
  const table = TABLES[kind]
  const row = tx.select().from(table).where(eq(table.id, id)).get()
  return row ? entryOf(kind, row) : null
}

function requireEnterprise(tx: Tx, id: string): void {
  if (!getEntry(tx, 'enterprises', id))
    throw bad(`no enterprise ${id}`, 'create it first with POST /api/v1/registry/enterprises')
}

export function pointOf(row: typeof points.$inferSelect): RegistryPoint {
  const l = row.limits
  return {
    id: row.id,
    name: row.name,
    enterprise: row.enterprise,
    class: row.class,
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

/** A hazard source or area named on a point must exist and belong to the point's enterprise. */
function checkPoint(tx: Tx, p: RegistryPoint): void {
  if (p.enterprise === null) throw bad(`point ${p.id} has no enterprise`, 'name its enterprise (enterprise / 企业)')
  requireEnterprise(tx, p.enterprise)
  for (const kind of ['hazardSources', 'areas'] as const) {
    const ref = kind === 'areas' ? p.area : p.hazardSource
    if (ref === null) continue
    const e = getEntry(tx, kind, ref) as { enterprise: string } | null
    if (!e || e.enterprise !== p.enterprise)
      throw bad(
        `point ${p.id}: enterprise ${p.enterprise} has no ${WHAT[kind]} ${ref}`,
        `create it under /api/v1/registry/${kind === 'areas' ? 'areas' : 'hazard-sources'} first, or leave the field empty`,
      )
  }
  if (p.monitorDevice !== null && !getEntry(tx, 'devices', p.monitorDevice))
    throw bad(
      `point ${p.id}: no device ${p.monitorDevice}`,
      'create it first with POST /api/v1/registry/devices, or leave monitorDevice empty',
    )
  const problems = pointProblems(p)
  if (problems.length > 0) throw bad(`point ${p.id}: ${problems.join('; ')}`, 'correct the thresholds or the range')
}

/** Writes a point's registry record; its thresholds become the alarm engine's limits. */
function writePoint(tx: Tx, p: RegistryPoint, thresholdsGiven: boolean): void {
  const old = tx
    .select({ limits: points.limits, fromSource: points.limitsFromSource })
    .from(points)
    .where(eq(points.id, p.id))
    .get()
  const limits: ThresholdLimits = { deadband: old?.limits?.deadband ?? 0 }
  for (const k of THRESHOLD_KEYS) if (p[k] !== null) limits[k] = p[k]
  // A gas point without levels alarms at GB/T 50493's (25/50 %LEL, 100/200 %OEL), as from the config file.
  const gas = p.class === 'gas' && !hasLevels(limits) ? gasLimits({ unit: p.unit ?? '', limits }) : null
  if (gas) Object.assign(limits, gas)
  const fromSource = thresholdsGiven ? false : (old?.fromSource ?? false)
  const fields = {
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
  tx.insert(points)
    .values({ id: p.id, ...fields })
    .onConflictDoUpdate({ target: points.id, set: { ...fields, limits: sql`excluded.limits` } })
    .run()
}

/** An enterprise's point or camera goes only to that enterprise's edge or to the park's (issue 13). */
function sameEnterprise(tx: Tx, what: string, enterprise: string | null, edge: string): void {
  const bound = tx
    .select({ enterprise: registryEdges.enterprise })
    .from(registryEdges)
    .where(eq(registryEdges.id, edge))
    .get()
  if (bound?.enterprise != null && enterprise !== null && bound.enterprise !== enterprise) {
    throw conflict(
      `${what} belongs to enterprise ${enterprise}; edge ${edge} is registered to ${bound.enterprise}`,
      "bind it to an edge of its own enterprise, or to the park's edge",
    )
  }
}

export function createRegistryOps(db: Db) {
  const immediate = <T>(fn: (tx: Tx) => T): T => db.transaction(fn, { behavior: 'immediate' })
  const getPoint = (tx: Tx, id: string) => {
    const row = tx.select().from(points).where(eq(points.id, id)).get()
    return row ? pointOf(row) : null
  }
  return {
    list(kind: EntryKind, scope: Scope): Entry[] {
      const table = TABLES[kind]
      return tx0()
        .select()
        .from(table)
        .where(inScope(scope, scopeColumn(kind)))
        .orderBy(table.id)
        .all()
        .map((r) => entryOf(kind, r))
    },
    create(kind: EntryKind, entry: Entry): Entry {
      return immediate((tx) => {
        if (getEntry(tx, kind, entry.id))
          throw conflict(`${WHAT[kind]} ${entry.id} exists`, `change it with PATCH /api/v1/registry/…/${entry.id}`)
        if ('enterprise' in entry && entry.enterprise !== null) requireEnterprise(tx, entry.enterprise)
        // x/y/lon/lat in the API are the plan_x/plan_y/lon/lat columns (registry/placement.ts).
        const { rest, columns } = splitPlacement(entry as unknown as Record<string, unknown>)
        const row = { ...rest, ...columns }
        tx.insert(TABLES[kind])
          .values((SEEDED.has(kind) ? { ...row, managed: true } : row) as never)
          .run()
        return getEntry(tx, kind, entry.id)!
      })
    },
    update(kind: EntryKind, id: string, patch: Record<string, unknown>): Change<Entry> | null {
      return immediate((tx) => {
        const before = getEntry(tx, kind, id)
        if (!before) return null
        const table = TABLES[kind]
        if (typeof patch.enterprise === 'string') requireEnterprise(tx, patch.enterprise)
        const { rest, columns } = splitPlacement(patch)
        const set = SEEDED.has(kind) ? { ...rest, ...columns, managed: true } : { ...rest, ...columns }
        if (Object.keys(set).length > 0)
          tx.update(table)
            .set(set as never)
            .where(eq(table.id, id))
            .run()
        return { before, after: getEntry(tx, kind, id) }
      })
    },
    remove(kind: EntryKind, id: string): Change<Entry> | null {
      return immediate((tx) => {
        const before = getEntry(tx, kind, id)
        if (!before) return null
        const pointCol =
          kind === 'enterprises'
            ? points.enterprise
            : kind === 'areas'
              ? points.area
              : kind === 'edges'
                ? points.edge
                : kind === 'devices'
                  ? points.monitorDevice
                  : points.hazardSource
        const users = tx.select({ n: sql<number>`count(*)` }).from(points).where(eq(pointCol, id)).get()!.n
        const children =
          kind === 'enterprises'
            ? tx.select({ id: hazardSources.id }).from(hazardSources).where(eq(hazardSources.enterprise, id)).all()
                .length + tx.select({ id: areas.id }).from(areas).where(eq(areas.enterprise, id)).all().length
            : kind === 'edges'
              ? tx.select({ id: cameras.id }).from(cameras).where(eq(cameras.edge, id)).all().length
              : 0
        if (users + children > 0)
          throw conflict(
            `${WHAT[kind]} ${id} is still used by ${users} point(s) and ${children} ${kind === 'edges' ? 'camera(s)' : 'hazard source(s)/area(s)'}`,
            kind === 'edges'
              ? 'move its points and cameras to another edge first (PUT /api/v1/registry/points/{id}/edge)'
              : 'move or unregister those first',
          )
        const table = TABLES[kind]
        tx.delete(table).where(eq(table.id, id)).run()
        return { before, after: null }
      })
    },
    listPoints(scope: Scope): RegistryPoint[] {
      return tx0()
        .select()
        .from(points)
        .where(and(eq(points.registered, true), inScope(scope, points.enterprise)))
        .orderBy(points.id)
        .all()
        .map(pointOf)
    },
    getPoint(id: string, scope: Scope): RegistryPoint | null {
      const row = tx0()
        .select()
        .from(points)
        .where(and(eq(points.id, id), inScope(scope, points.enterprise)))
        .get()
      return row ? pointOf(row) : null
    },
    patchPoint(id: string, patch: PointPatch): Change<RegistryPoint> | null {
      return immediate((tx) => {
        const before = getPoint(tx, id)
        if (!before) return null
        const next = { ...before, ...patch } as RegistryPoint
        checkPoint(tx, next)
        writePoint(
          tx,
          next,
          THRESHOLD_KEYS.some((k) => k in patch),
        )
        return { before, after: getPoint(tx, id) }
      })
    },
    unregisterPoint(id: string): Change<RegistryPoint> | null {
      return immediate((tx) => {
        const before = getPoint(tx, id)
        if (!before) return null
        tx.update(points)
          .set({
            registered: false,
            managed: true,
            enterprise: null,
            class: null,
            limits: null,
            limitsFromSource: false,
            hazardSource: null,
            area: null,
          })
          .where(eq(points.id, id))
          .run()
        return { before, after: null }
      })
    },
    movePoint(id: string, edge: string | null): Change<Binding> | null {
      return immediate((tx) => {
        const row = tx
          .select({ edge: points.edge, enterprise: points.enterprise })
          .from(points)
          .where(eq(points.id, id))
          .get()
        if (!row) return null
        if (edge !== null) sameEnterprise(tx, `point ${id}`, row.enterprise, edge)
        tx.update(points).set({ edge }).where(eq(points.id, id)).run()
        return { before: { id, edge: row.edge }, after: { id, edge } }
      })
    },
    placeCamera(id: string, placement: Placement): Change<{ id: string } & PlacedAt> | null {
      return immediate((tx) => {
        const placed = () => {
          const row = tx
            .select({ planX: cameras.planX, planY: cameras.planY, lon: cameras.lon, lat: cameras.lat })
            .from(cameras)
            .where(eq(cameras.id, id))
            .get()
          return row ? { id, ...placementOf(row) } : null
        }
        const before = placed()
        if (!before) return null
        const set = placementColumns(placement)
        if (Object.keys(set).length > 0) tx.update(cameras).set(set).where(eq(cameras.id, id)).run()
        return { before, after: placed() }
      })
    },
    moveCamera(id: string, edge: string): Change<Binding> | null {
      return immediate((tx) => {
        const row = tx
          .select({ edge: cameras.edge, enterprise: cameras.enterprise })
          .from(cameras)
          .where(eq(cameras.id, id))
          .get()
        if (!row) return null
        sameEnterprise(tx, `camera ${id}`, row.enterprise, edge)
        tx.update(cameras).set({ edge }).where(eq(cameras.id, id)).run()
        return { before: { id, edge: row.edge }, after: { id, edge } }
      })
    },
    importPoints(
      list: readonly PointCreate[],
      options: { dryRun: boolean },
    ): Array<Change<RegistryPoint> & { id: string }> {
      const changes: Array<Change<RegistryPoint> & { id: string }> = []
      try {
        immediate((tx) => {
          for (const p of list) {
            const before = getPoint(tx, p.id)
            const next: RegistryPoint = {
              ...EMPTY_POINT_FIELDS,
              ...p,
            }
            checkPoint(tx, next)
            writePoint(tx, next, true)
            const after = getPoint(tx, p.id)!
            if (JSON.stringify(before) !== JSON.stringify(after) || !before) changes.push({ id: p.id, before, after })
          }
          if (options.dryRun) throw DRY_RUN
        })
      } catch (err) {
        if (err !== DRY_RUN) throw err
      }
      return changes
    },
  }
  function tx0(): Tx {
    return db
  }
}
const DRY_RUN = Symbol('dry run: roll back')
