import { and, asc, eq } from 'drizzle-orm'
import { answerColumns, pushColumns, toOwnedPoint } from '../bundle-rows.ts'
import type { BundleRepo } from '../repos/bundles.ts'
import type { Db } from './db.ts'
import { run } from './parts.ts'
import { edgeBundles, points } from './schema.ts'

export function sqliteBundleRepo({ db }: { db: Db }): BundleRepo {
  return {
    edgeRulePoints: (edge) =>
      run(() =>
        db
          .select({ id: points.id, class: points.class, limits: points.limits, rules: points.rules })
          .from(points)
          .where(and(eq(points.edge, edge), eq(points.registered, true)))
          .orderBy(asc(points.id))
          .all()
          .map(toOwnedPoint),
      ),
    bundleStates: () => run(() => db.select().from(edgeBundles).orderBy(asc(edgeBundles.edge)).all()),
    recordBundlePush: (edge, p) =>
      run(() => {
        const fields = pushColumns(p)
        db.insert(edgeBundles)
          .values({ edge, ...fields })
          .onConflictDoUpdate({ target: edgeBundles.edge, set: fields })
          .run()
      }),
    recordBundleAnswer: (edge, issuedAt, a) =>
      run(() => {
        db.update(edgeBundles)
          .set(answerColumns(issuedAt, a))
          .where(and(eq(edgeBundles.edge, edge), eq(edgeBundles.issuedAt, issuedAt)))
          .run()
      }),
  }
}
