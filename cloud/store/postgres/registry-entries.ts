import { count, eq } from 'drizzle-orm'
import type { PgColumn } from 'drizzle-orm/pg-core'
import type { Scope } from '../../auth/roles.ts'
import { splitPlacement } from '../../registry/placement.ts'
import { bad, checkRemoval, conflict, entryOf, POINT_REFERENCE, SEEDED, WHAT } from '../registry-rows.ts'
import type { Change, Entry, EntryKind } from '../registry-store.ts'
import { inScope } from '../sql-scope.ts'
import type { PgDb } from './db.ts'
import { areas, cameras, devices, enterprises, hazardSources, points, registryEdges } from './schema.ts'
import { byteOrder, LOCKS, locked, type Q } from './tx.ts'

// One shape for the entry tables: what the generic CRUD needs of each.
const TABLES = { enterprises, hazardSources, areas, edges: registryEdges, devices } as const
const scopeColumn = (kind: EntryKind): PgColumn => (kind === 'enterprises' ? enterprises.id : TABLES[kind].enterprise)

export async function getEntry(q: Q, kind: EntryKind, id: string): Promise<Entry | null> {
  const table = TABLES[kind]
  const [row] = await q.select().from(table).where(eq(table.id, id))
  return row ? entryOf(kind, row) : null
}

async function requireEnterprise(q: Q, id: string): Promise<void> {
  if (!(await getEntry(q, 'enterprises', id)))
    throw bad(`no enterprise ${id}`, 'create it first with POST /api/v1/registry/enterprises')
}

const countOf = async (rows: PromiseLike<Array<{ n: number }>>) => (await rows)[0]?.n ?? 0

/** Enterprises, hazard sources, areas, edge bindings and devices (RegistryStore's entry half), serialized by the registry lock. */
export function pgRegistryEntries(db: PgDb) {
  return {
    async list(kind: EntryKind, scope: Scope): Promise<Entry[]> {
      const table = TABLES[kind]
      const rows = await db
        .select()
        .from(table)
        .where(inScope(scope, scopeColumn(kind)))
        .orderBy(byteOrder(table.id))
      return rows.map((r) => entryOf(kind, r))
    },
    create: (kind: EntryKind, entry: Entry): Promise<Entry> =>
      locked(db, LOCKS.registry, async (tx) => {
        if (await getEntry(tx, kind, entry.id))
          throw conflict(`${WHAT[kind]} ${entry.id} exists`, `change it with PATCH /api/v1/registry/…/${entry.id}`)
        if ('enterprise' in entry && entry.enterprise !== null) await requireEnterprise(tx, entry.enterprise)
        // x/y/lon/lat in the API are the plan_x/plan_y/lon/lat columns (registry/placement.ts).
        const { rest, columns } = splitPlacement(entry as unknown as Record<string, unknown>)
        const row = { ...rest, ...columns }
        await tx.insert(TABLES[kind]).values((SEEDED.has(kind) ? { ...row, managed: true } : row) as never)
        return (await getEntry(tx, kind, entry.id))!
      }),
    update: (kind: EntryKind, id: string, patch: Record<string, unknown>): Promise<Change<Entry> | null> =>
      locked(db, LOCKS.registry, async (tx) => {
        const before = await getEntry(tx, kind, id)
        if (!before) return null
        const table = TABLES[kind]
        if (typeof patch.enterprise === 'string') await requireEnterprise(tx, patch.enterprise)
        const { rest, columns } = splitPlacement(patch)
        const set = SEEDED.has(kind) ? { ...rest, ...columns, managed: true } : { ...rest, ...columns }
        if (Object.keys(set).length > 0)
          await tx
            .update(table)
            .set(set as never)
            .where(eq(table.id, id))
        return { before, after: await getEntry(tx, kind, id) }
      }),
    remove: (kind: EntryKind, id: string): Promise<Change<Entry> | null> =>
      locked(db, LOCKS.registry, async (tx) => {
        const before = await getEntry(tx, kind, id)
        if (!before) return null
        const users = await countOf(tx.select({ n: count() }).from(points).where(eq(points[POINT_REFERENCE[kind]], id)))
        const children =
          kind === 'enterprises'
            ? (await countOf(tx.select({ n: count() }).from(hazardSources).where(eq(hazardSources.enterprise, id)))) +
              (await countOf(tx.select({ n: count() }).from(areas).where(eq(areas.enterprise, id))))
            : kind === 'edges'
              ? await countOf(tx.select({ n: count() }).from(cameras).where(eq(cameras.edge, id)))
              : 0
        checkRemoval(kind, id, users, children)
        const table = TABLES[kind]
        await tx.delete(table).where(eq(table.id, id))
        return { before, after: null }
      }),
  }
}
