import { and, asc, eq } from 'drizzle-orm'
import { answerColumns, pushColumns, toOwnedPoint } from '../bundle-rows.ts'
import type { BundleRepo } from '../repos/bundles.ts'
import type { PgDb } from './db.ts'
import { edgeBundles, points } from './schema.ts'
import { byteOrder } from './tx.ts'

/**
 * The park's config bundles per edge on PostgreSQL (issue 19), as cloud/store/sqlite/bundles.ts:
 * each write is one statement (a push replaces the last one; an answer updates only the push it
 * names, so a late answer to an older push changes nothing).
 */
export function pgBundleRepo(db: PgDb): BundleRepo {
  return {
    edgeRulePoints: async (edge) => {
      const rows = await db
        .select({ id: points.id, class: points.class, limits: points.limits, rules: points.rules })
        .from(points)
        .where(and(eq(points.edge, edge), eq(points.registered, true)))
        .orderBy(asc(byteOrder(points.id)))
      return rows.map(toOwnedPoint)
    },
    bundleStates: () =>
      db
        .select()
        .from(edgeBundles)
        .orderBy(asc(byteOrder(edgeBundles.edge))),
    recordBundlePush: async (edge, p) => {
      const fields = pushColumns(p)
      await db
        .insert(edgeBundles)
        .values({ edge, ...fields })
        .onConflictDoUpdate({ target: edgeBundles.edge, set: fields })
    },
    recordBundleAnswer: async (edge, issuedAt, a) => {
      await db
        .update(edgeBundles)
        .set(answerColumns(issuedAt, a))
        .where(and(eq(edgeBundles.edge, edge), eq(edgeBundles.issuedAt, issuedAt)))
    },
  }
}
