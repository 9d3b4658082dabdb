import { and, eq } from 'drizzle-orm'
import type { OwnedPointFacts } from '../../alarms/engine/edge-rules.ts'
import type { BundleRepo } from '../repos/bundles.ts'
import type { Db } from './db.ts'
import { run } from './parts.ts'
import { edgeBundles, points } from './schema.ts'

const ACCEPTED = new Set(['applied', 'unchanged'])

export function sqliteBundleRepo({ db }: { db: Db }): BundleRepo {
  return {
    edgeRulePoints: (edge) =>
      run(() =>
        db
          .select({ id: points.id, class: points.class, limits: points.limits, rules: points.rules })
          .from(points)
          .where(and(eq(points.edge, edge), eq(points.registered, true)))
          .all()
          .map((r) => ({ ...r, class: (r.class ?? null) as OwnedPointFacts['class'] })),
      ),
    bundleStates: () => run(() => db.select().from(edgeBundles).all()),
    recordBundlePush: (edge, p) =>
      run(() => {
        const fields = {
          issuedAt: p.issuedAt,
          configYaml: p.configYaml,
          pushedAt: p.at,
          pushedBy: p.by,
          outcome: null,
          error: null,
          answeredAt: null,
        }
        db.insert(edgeBundles)
          .values({ edge, ...fields })
          .onConflictDoUpdate({ target: edgeBundles.edge, set: fields })
          .run()
      }),
    recordBundleAnswer: (edge, issuedAt, a) =>
      run(() => {
        const accepted = ACCEPTED.has(a.outcome) && a.configHash !== null
        db.update(edgeBundles)
          .set({
            outcome: a.outcome,
            error: a.error,
            answeredAt: a.at,
            ...(accepted ? { expectedHash: a.configHash, acceptedIssuedAt: issuedAt } : {}),
          })
          .where(and(eq(edgeBundles.edge, edge), eq(edgeBundles.issuedAt, issuedAt)))
          .run()
      }),
  }
}
