import { and, eq, inArray, notInArray, sql } from 'drizzle-orm'
import type { SourceLimits } from '../../../shared/wire/messages.ts'
import { fileEdgeColumns, filePointColumns, UNLISTED_POINT } from '../registry-file.ts'
import type { Registry } from '../../config.ts'
import type { Db } from './db.ts'
import { devices, enterprises, points, registryEdges } from './schema.ts'

/**
 * Makes the store agree with the configured registry, in one transaction: enterprises are
 * replaced; registered points get name, unit, enterprise, class and limits from the registry;
 * points that left the registry lose enterprise, class and limits (they stay visible as
 * edge-announced points, and their active alarms recover at the next sample).
 * Entries edited through the registry API (`managed`) are left alone: the file seeds, the
 * database wins afterwards.
 */
export function applyRegistry(
  db: Db,
  registry: Registry,
): { points: number; enterprises: number; unregistered: number } {
  return db.transaction(
    (tx) => {
      const wanted = new Set(registry.points.map((p) => p.id))
      const unmanaged = and(eq(points.registered, true), eq(points.managed, false))
      const managedPoints = new Set(
        tx
          .select({ id: points.id })
          .from(points)
          .where(eq(points.managed, true))
          .all()
          .map((p) => p.id),
      )
      const before = tx.select({ id: points.id }).from(points).where(unmanaged).all()
      const unregistered = before.filter((p) => !wanted.has(p.id)).length

      tx.update(points).set(UNLISTED_POINT).where(unmanaged).run()
      for (const e of registry.enterprises) {
        tx.insert(enterprises)
          .values(e)
          .onConflictDoUpdate({
            target: enterprises.id,
            set: { name: e.name },
            setWhere: eq(enterprises.managed, false),
          })
          .run()
      }
      const ids = registry.enterprises.map((e) => e.id)
      if (ids.length === 0) tx.delete(enterprises).where(eq(enterprises.managed, false)).run()
      else
        tx.delete(enterprises)
          .where(and(notInArray(enterprises.id, ids), eq(enterprises.managed, false)))
          .run()

      // Edge bindings (issue 13): the file seeds them; entries edited through the API stay.
      for (const e of registry.edges) {
        const entry = fileEdgeColumns(e)
        tx.insert(registryEdges)
          .values({ id: e.id, ...entry })
          .onConflictDoUpdate({ target: registryEdges.id, set: entry, setWhere: eq(registryEdges.managed, false) })
          .run()
      }
      const edgeIds = registry.edges.map((e) => e.id)
      if (edgeIds.length === 0) tx.delete(registryEdges).where(eq(registryEdges.managed, false)).run()
      else
        tx.delete(registryEdges)
          .where(and(notInArray(registryEdges.id, edgeIds), eq(registryEdges.managed, false)))
          .run()

      applyDevices(tx, registry.devices ?? [])

      const sourceLimits = new Map<string, SourceLimits | null>()
      const fromSource = registry.points.filter((p) => p.limitsFromSource).map((p) => p.id)
      for (let i = 0; i < fromSource.length; i += 500) {
        for (const row of tx
          .select({ id: points.id, sourceLimits: points.sourceLimits })
          .from(points)
          .where(inArray(points.id, fromSource.slice(i, i + 500)))
          .all()) {
          sourceLimits.set(row.id, row.sourceLimits ?? null)
        }
      }
      for (const p of registry.points) {
        if (managedPoints.has(p.id)) continue
        const fields = filePointColumns(p, sourceLimits.get(p.id))
        tx.insert(points)
          .values({ id: p.id, ...fields })
          .onConflictDoUpdate({
            target: points.id,
            set: { ...fields, limits: sql`excluded.limits`, rules: sql`excluded.rules` },
          })
          .run()
      }
      return { points: registry.points.length, enterprises: registry.enterprises.length, unregistered }
    },
    { behavior: 'immediate' },
  )
}

/** The file's monitoring devices (issue 18): seeded like enterprises; those edited through the API stay. */
function applyDevices(tx: Pick<Db, 'insert' | 'delete'>, list: NonNullable<Registry['devices']>): void {
  for (const d of list)
    tx.insert(devices)
      .values(d)
      .onConflictDoUpdate({ target: devices.id, set: d, setWhere: eq(devices.managed, false) })
      .run()
  const ids = list.map((d) => d.id)
  if (ids.length === 0) tx.delete(devices).where(eq(devices.managed, false)).run()
  else
    tx.delete(devices)
      .where(and(notInArray(devices.id, ids), eq(devices.managed, false)))
      .run()
}
