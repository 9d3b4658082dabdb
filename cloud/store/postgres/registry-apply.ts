import { and, eq, inArray, notInArray, sql } from 'drizzle-orm'
import type { SourceLimits } from '../../../shared/wire/messages.ts'
import type { Registry } from '../../config.ts'
import { fileEdgeColumns, filePointColumns, UNLISTED_POINT } from '../registry-file.ts'
import type { PgDb } from './db.ts'
import { devices, enterprises, points, registryEdges } from './schema.ts'
import { LOCKS, locked, type PgTx } from './tx.ts'

const CHUNK = 500

/**
 * Makes the store agree with the configured registry, in one transaction under the registry
 * lock (as cloud/store/sqlite/registry.ts; what each point becomes is registry-file.ts's):
 * enterprises, edge bindings and devices replaced; registered points get the file's fields;
 * points that left it lose enterprise, class and limits. Entries edited through the registry
 * API (`managed`) are left alone: the file seeds, the database wins afterwards.
 */
export function applyRegistry(
  db: PgDb,
  registry: Registry,
): Promise<{ points: number; enterprises: number; unregistered: number }> {
  return locked(db, LOCKS.registry, async (tx) => {
    const wanted = new Set(registry.points.map((p) => p.id))
    const unmanaged = and(eq(points.registered, true), eq(points.managed, false))
    const managed = new Set(
      (await tx.select({ id: points.id }).from(points).where(eq(points.managed, true))).map((p) => p.id),
    )
    const before = await tx.select({ id: points.id }).from(points).where(unmanaged)
    const unregistered = before.filter((p) => !wanted.has(p.id)).length
    await tx.update(points).set(UNLISTED_POINT).where(unmanaged)
    await applyEnterprises(tx, registry.enterprises)
    await applyEdges(tx, registry.edges)
    await applyDevices(tx, registry.devices ?? [])
    const announced = await sourceLimits(
      tx,
      registry.points.filter((p) => p.limitsFromSource).map((p) => p.id),
    )
    for (const p of registry.points) {
      if (managed.has(p.id)) continue
      const fields = filePointColumns(p, announced.get(p.id))
      await tx
        .insert(points)
        .values({ id: p.id, ...fields })
        .onConflictDoUpdate({
          target: points.id,
          set: { ...fields, limits: sql`excluded.limits`, rules: sql`excluded.rules` },
        })
    }
    return { points: registry.points.length, enterprises: registry.enterprises.length, unregistered }
  })
}

async function sourceLimits(tx: PgTx, ids: readonly string[]): Promise<Map<string, SourceLimits | null>> {
  const out = new Map<string, SourceLimits | null>()
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await tx
      .select({ id: points.id, sourceLimits: points.sourceLimits })
      .from(points)
      .where(inArray(points.id, ids.slice(i, i + CHUNK)))
    for (const row of rows) out.set(row.id, row.sourceLimits ?? null)
  }
  return out
}

async function applyEnterprises(tx: PgTx, list: Registry['enterprises']): Promise<void> {
  for (const e of list)
    await tx
      .insert(enterprises)
      .values(e)
      .onConflictDoUpdate({ target: enterprises.id, set: { name: e.name }, setWhere: eq(enterprises.managed, false) })
  const ids = list.map((e) => e.id)
  await tx
    .delete(enterprises)
    .where(and(ids.length === 0 ? undefined : notInArray(enterprises.id, ids), eq(enterprises.managed, false)))
}

/** Edge bindings (issue 13): the file seeds them; entries edited through the API stay. */
async function applyEdges(tx: PgTx, list: Registry['edges']): Promise<void> {
  for (const e of list) {
    const entry = fileEdgeColumns(e)
    await tx
      .insert(registryEdges)
      .values({ id: e.id, ...entry })
      .onConflictDoUpdate({ target: registryEdges.id, set: entry, setWhere: eq(registryEdges.managed, false) })
  }
  const ids = list.map((e) => e.id)
  await tx
    .delete(registryEdges)
    .where(and(ids.length === 0 ? undefined : notInArray(registryEdges.id, ids), eq(registryEdges.managed, false)))
}

/** The file's monitoring devices (issue 18): seeded like enterprises; those edited through the API stay. */
async function applyDevices(tx: PgTx, list: NonNullable<Registry['devices']>): Promise<void> {
  for (const d of list)
    await tx
      .insert(devices)
      .values(d)
      .onConflictDoUpdate({ target: devices.id, set: d, setWhere: eq(devices.managed, false) })
  const ids = list.map((d) => d.id)
  await tx
    .delete(devices)
    .where(and(ids.length === 0 ? undefined : notInArray(devices.id, ids), eq(devices.managed, false)))
}
