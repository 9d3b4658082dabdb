import { eq, notInArray, sql } from 'drizzle-orm'
import type { Registry } from '../../config.ts'
import type { Db } from './db.ts'
import { enterprises, points } from './schema.ts'

/**
 * Makes the store agree with the configured registry, in one transaction: enterprises are
 * replaced; registered points get name, unit, enterprise, class and limits from the registry;
 * points that left the registry lose enterprise, class and limits (they stay visible as
 * edge-announced points, and their active alarms recover at the next sample).
 */
export function applyRegistry(db: Db, registry: Registry): { points: number; enterprises: number; unregistered: number } {
  return db.transaction((tx) => {
    const wanted = new Set(registry.points.map((p) => p.id))
    const before = tx.select({ id: points.id }).from(points).where(eq(points.registered, true)).all()
    const unregistered = before.filter((p) => !wanted.has(p.id)).length

    tx.update(points).set({ registered: false, enterprise: null, class: null, limits: null }).where(eq(points.registered, true)).run()
    for (const e of registry.enterprises) {
      tx.insert(enterprises).values(e).onConflictDoUpdate({ target: enterprises.id, set: { name: e.name } }).run()
    }
    const ids = registry.enterprises.map((e) => e.id)
    if (ids.length === 0) tx.delete(enterprises).run()
    else tx.delete(enterprises).where(notInArray(enterprises.id, ids)).run()

    for (const p of registry.points) {
      const fields = { name: p.name, unit: p.unit, enterprise: p.enterprise, class: p.class, limits: p.limits ?? null, registered: true }
      tx.insert(points)
        .values({ id: p.id, ...fields })
        .onConflictDoUpdate({
          target: points.id,
          set: {
            name: fields.name,
            unit: fields.unit,
            enterprise: fields.enterprise,
            class: fields.class,
            limits: sql`excluded.limits`,
            registered: true,
          },
        })
        .run()
    }
    return { points: registry.points.length, enterprises: registry.enterprises.length, unregistered }
  }, { behavior: 'immediate' })
}
