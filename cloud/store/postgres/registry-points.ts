import { and, eq, sql } from 'drizzle-orm'
import type { Scope } from '../../auth/roles.ts'
import {
  EMPTY_POINT_FIELDS,
  THRESHOLD_KEYS,
  type PointCreate,
  type PointPatch,
  type RegistryPoint,
} from '../../registry/model.ts'
import { placementColumns, placementOf, type PlacedAt, type Placement } from '../../registry/placement.ts'
import {
  changed,
  checkPoint,
  checkSameEnterprise,
  DRY_RUN,
  pointColumns,
  pointOf,
  UNREGISTERED_POINT,
} from '../registry-rows.ts'
import type { Binding, Change, EntryKind } from '../registry-store.ts'
import { inScope } from '../sql-scope.ts'
import type { PgDb } from './db.ts'
import { getEntry } from './registry-entries.ts'
import { cameras, points, registryEdges } from './schema.ts'
import { byteOrder, LOCKS, locked, type PgTx, type Q } from './tx.ts'

async function getPoint(q: Q, id: string): Promise<RegistryPoint | null> {
  const [row] = await q.select().from(points).where(eq(points.id, id))
  return row ? pointOf(row) : null
}

/** Reads what a point refers to, then applies the engine-neutral checks (registry-rows.ts). */
async function check(tx: PgTx, p: RegistryPoint): Promise<void> {
  const get = (kind: EntryKind, id: string | null) => (id === null ? null : getEntry(tx, kind, id))
  checkPoint(p, {
    enterprise: await get('enterprises', p.enterprise),
    hazardSource: (await get('hazardSources', p.hazardSource)) as { enterprise: string } | null,
    area: (await get('areas', p.area)) as { enterprise: string } | null,
    device: await get('devices', p.monitorDevice),
  })
}

/** Writes a point's registry record; its thresholds become the alarm engine's limits. */
async function writePoint(tx: PgTx, p: RegistryPoint, thresholdsGiven: boolean): Promise<void> {
  const [old] = await tx
    .select({ limits: points.limits, fromSource: points.limitsFromSource })
    .from(points)
    .where(eq(points.id, p.id))
  const fields = pointColumns(p, old ?? null, thresholdsGiven)
  await tx
    .insert(points)
    .values({ id: p.id, ...fields })
    .onConflictDoUpdate({ target: points.id, set: { ...fields, limits: sql`excluded.limits` } })
}

async function edgeEnterprise(tx: PgTx, edge: string): Promise<string | null | undefined> {
  const [bound] = await tx
    .select({ enterprise: registryEdges.enterprise })
    .from(registryEdges)
    .where(eq(registryEdges.id, edge))
  return bound?.enterprise
}

/** Points' registry records and the bindings of points and cameras to edges (RegistryStore's point half). */
export function pgRegistryPoints(db: PgDb) {
  const write = <T>(fn: (tx: PgTx) => Promise<T>) => locked(db, LOCKS.registry, fn)
  return {
    async listPoints(scope: Scope): Promise<RegistryPoint[]> {
      const rows = await db
        .select()
        .from(points)
        .where(and(eq(points.registered, true), inScope(scope, points.enterprise)))
        .orderBy(byteOrder(points.id))
      return rows.map(pointOf)
    },
    async getPoint(id: string, scope: Scope): Promise<RegistryPoint | null> {
      const [row] = await db
        .select()
        .from(points)
        .where(and(eq(points.id, id), inScope(scope, points.enterprise)))
      return row ? pointOf(row) : null
    },
    patchPoint: (id: string, patch: PointPatch): Promise<Change<RegistryPoint> | null> =>
      write(async (tx) => {
        const before = await getPoint(tx, id)
        if (!before) return null
        const next = { ...before, ...patch } as RegistryPoint
        await check(tx, next)
        await writePoint(
          tx,
          next,
          THRESHOLD_KEYS.some((k) => k in patch),
        )
        return { before, after: await getPoint(tx, id) }
      }),
    unregisterPoint: (id: string): Promise<Change<RegistryPoint> | null> =>
      write(async (tx) => {
        const before = await getPoint(tx, id)
        if (!before) return null
        await tx.update(points).set(UNREGISTERED_POINT).where(eq(points.id, id))
        return { before, after: null }
      }),
    movePoint: (id: string, edge: string | null): Promise<Change<Binding> | null> =>
      write(async (tx) => {
        const [row] = await tx
          .select({ edge: points.edge, enterprise: points.enterprise })
          .from(points)
          .where(eq(points.id, id))
        if (!row) return null
        if (edge !== null) checkSameEnterprise(`point ${id}`, row.enterprise, edge, await edgeEnterprise(tx, edge))
        await tx.update(points).set({ edge }).where(eq(points.id, id))
        return { before: { id, edge: row.edge }, after: { id, edge } }
      }),
    placeCamera: (id: string, placement: Placement): Promise<Change<{ id: string } & PlacedAt> | null> =>
      write(async (tx) => {
        const placed = async () => {
          const [row] = await tx
            .select({ planX: cameras.planX, planY: cameras.planY, lon: cameras.lon, lat: cameras.lat })
            .from(cameras)
            .where(eq(cameras.id, id))
          return row ? { id, ...placementOf(row) } : null
        }
        const before = await placed()
        if (!before) return null
        const set = placementColumns(placement)
        if (Object.keys(set).length > 0) await tx.update(cameras).set(set).where(eq(cameras.id, id))
        return { before, after: await placed() }
      }),
    moveCamera: (id: string, edge: string): Promise<Change<Binding> | null> =>
      write(async (tx) => {
        const [row] = await tx
          .select({ edge: cameras.edge, enterprise: cameras.enterprise })
          .from(cameras)
          .where(eq(cameras.id, id))
        if (!row) return null
        checkSameEnterprise(`camera ${id}`, row.enterprise, edge, await edgeEnterprise(tx, edge))
        await tx.update(cameras).set({ edge }).where(eq(cameras.id, id))
        return { before: { id, edge: row.edge }, after: { id, edge } }
      }),
    /** All or nothing in one transaction; a dry run rolls back what it wrote and reports it. */
    async importPoints(
      list: readonly PointCreate[],
      options: { dryRun: boolean },
    ): Promise<Array<Change<RegistryPoint> & { id: string }>> {
      const changes: Array<Change<RegistryPoint> & { id: string }> = []
      try {
        await write(async (tx) => {
          for (const p of list) {
            const before = await getPoint(tx, p.id)
            const next: RegistryPoint = { ...EMPTY_POINT_FIELDS, ...p }
            await check(tx, next)
            await writePoint(tx, next, true)
            const after = (await getPoint(tx, p.id))!
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
}
