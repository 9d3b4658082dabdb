import { and, eq, inArray, isNotNull, or, sql } from 'drizzle-orm'
import type { PointClass } from '../../../shared/rules/priority.ts'
import type { PointFacts } from '../../alarms/engine/point.ts'
import { inChunks } from './chunks.ts'
import { points, ruleState } from './schema.ts'
import type { Q } from './tx.ts'

/**
 * The rule facts of a batch's points (class, limits, rules from the registry; the rule state) on
 * PostgreSQL, as cloud/store/sqlite/rule-facts.ts: ONE read per batch, and the states the batch
 * moved written with ONE multi-row upsert (issue 15: rule state for points with rules only).
 * Only points with limits, rules or a stored state come back.
 */
export async function readRuleFacts(q: Q, ids: readonly string[]): Promise<Map<string, PointFacts>> {
  const out = new Map<string, PointFacts>()
  if (ids.length === 0) return out
  const rows = await q
    .select({ id: points.id, class: points.class, limits: points.limits, rules: points.rules, state: ruleState.state })
    .from(points)
    .leftJoin(ruleState, eq(ruleState.point, points.id))
    .where(
      and(
        inArray(points.id, [...ids]),
        or(isNotNull(points.limits), isNotNull(points.rules), isNotNull(ruleState.state)),
      ),
    )
  for (const r of rows)
    out.set(r.id, {
      class: r.class as PointClass | null,
      limits: r.limits,
      rules: r.rules,
      state: r.state ?? undefined,
    })
  return out
}

/** Stores the rule states a batch's evaluation produced, at `at`; nothing when none moved. */
export async function writeRuleStates(q: Q, states: ReadonlyMap<string, unknown>, at: number): Promise<void> {
  const rows = [...states].map(([point, state]) => ({ point, state, updatedAt: at }))
  await inChunks(rows, 3, (chunk) =>
    q
      .insert(ruleState)
      .values(chunk)
      .onConflictDoUpdate({
        target: ruleState.point,
        set: { state: sql`excluded.state`, updatedAt: sql`excluded.updated_at` },
      }),
  )
}
