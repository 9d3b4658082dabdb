import { and, eq, sql } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { Scope } from '../../auth/roles.ts'
import {
  EMPTY_POINT_FIELDS,
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
import {
  bad,
  changed,
  checkPoint as checkPointRules,
  checkRemoval,
  checkSameEnterprise,
  conflict,
  DRY_RUN,
  entryOf,
  POINT_REFERENCE,
  pointColumns,
  pointOf,
  SEEDED,
  UNREGISTERED_POINT,
  WHAT,
} from '../registry-rows.ts'
import type { Db } from './db.ts'
import { areas, cameras, devices, enterprises, hazardSources, points, registryEdges } from './schema.ts'
import { inScope } from './scope.ts'

export { pointOf }
type Tx = Pick<Db, 'select' | 'insert' | 'update' | 'delete'>
// One shape for the three entry tables: what the generic CRUD needs of each.
const TABLES = { enterprises, hazardSources, areas, edges: registryEdges, devices } as const
const scopeColumn = (kind: EntryKind): SQLiteColumn =>
  kind === 'enterprises' ? enterprises.id : TABLES[kind].enterprise
function getEntry(tx: Tx, kind: EntryKind, id: string): Entry | null {
  const table = TABLES[kind]
  const row = tx.select().from(table).where(eq(table.id, id)).get()
  return row ? entryOf(kind, row) : null
}

function requireEnterprise(tx: Tx, id: string): void {
  if (!getEntry(tx, 'enterprises', id))
    throw bad(`no enterprise ${id}`, 'create it first with POST /api/v1/registry/enterprises')
}

/** A hazard source or area named on a point must exist and belong to the point's enterprise (registry-rows.ts). */
function checkPoint(tx: Tx, p: RegistryPoint): void {
  const get = (kind: EntryKind, id: string | null) => (id === null ? null : getEntry(tx, kind, id))
  checkPointRules(p, {
    enterprise: get('enterprises', p.enterprise),
    hazardSource: get('hazardSources', p.hazardSource) as { enterprise: string } | null,
    area: get('areas', p.area) as { enterprise: string } | null,
    device: get('devices', p.monitorDevice),
  })
}

/** Writes a point's registry record; its thresholds become the alarm engine's limits. */
function writePoint(tx: Tx, p: RegistryPoint, thresholdsGiven: boolean): void {
  const old = tx
    .select({ limits: points.limits, fromSource: points.limitsFromSource })
    .from(points)
    .where(eq(points.id, p.id))
    .get()
  const fields = pointColumns(p, old ?? null, thresholdsGiven)
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
  checkSameEnterprise(what, enterprise, edge, bound?.enterprise)
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
        const pointCol = points[POINT_REFERENCE[kind]]
        const users = tx.select({ n: sql<number>`count(*)` }).from(points).where(eq(pointCol, id)).get()!.n
        const children =
          kind === 'enterprises'
            ? tx.select({ id: hazardSources.id }).from(hazardSources).where(eq(hazardSources.enterprise, id)).all()
                .length + tx.select({ id: areas.id }).from(areas).where(eq(areas.enterprise, id)).all().length
            : kind === 'edges'
              ? tx.select({ id: cameras.id }).from(cameras).where(eq(cameras.edge, id)).all().length
              : 0
        checkRemoval(kind, id, users, children)
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
        tx.update(points).set(UNREGISTERED_POINT).where(eq(points.id, id)).run()
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
            if (changed(before, after)) changes.push({ id: p.id, before, after })
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
