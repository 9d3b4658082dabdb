import type { PointClass } from '../../../shared/rules/priority.ts'
import type { PointFacts } from '../../alarms/engine/point.ts'
import type { Db } from './db.ts'

interface FactsRow {
  id: string
  class: string | null
  limits: string | null
  rules: string | null
  state: string | null
}

const json = (text: string | null) => (text === null ? null : JSON.parse(text))

/**
 * The rule facts of a batch's points (class, limits, rules from the registry; the rule state),
 * read with ONE statement per batch, and the rule states the batch produced, written with ONE
 * (issue 15: a small, fixed number of statements per batch; rule state for points with rules
 * only). Only points with limits, rules or a stored state come back: for any other point the
 * evaluator has nothing to do (shared/rules/evaluate.ts), exactly as with no facts at all.
 * The JSON columns are parsed as the schema's json mode does.
 */
export function createRuleFactOps(db: Db) {
  const read = db.$client.prepare<[string], FactsRow>(`
    SELECT p.id, p.class, p.limits, p.rules, s.state
    FROM points p LEFT JOIN rule_state s ON s.point = p.id
    WHERE p.id IN (SELECT value FROM json_each(?))
      AND (p.limits IS NOT NULL OR p.rules IS NOT NULL OR s.state IS NOT NULL)`)
  // Row: [point, state as JSON text, at]; `WHERE true`: the upsert after a SELECT needs it.
  const write = db.$client.prepare<[string]>(`
    INSERT INTO rule_state (point, state, updated_at)
    SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?) WHERE true
    ON CONFLICT (point) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`)

  return {
    /** The facts of those of `points` that have any; a point missing from the map has none. */
    read(points: Iterable<string>): Map<string, PointFacts> {
      const ids = [...points]
      const out = new Map<string, PointFacts>()
      if (ids.length === 0) return out
      for (const r of read.all(JSON.stringify(ids)))
        out.set(r.id, {
          class: r.class as PointClass | null,
          limits: json(r.limits),
          rules: json(r.rules),
          state: json(r.state) ?? undefined,
        })
      return out
    },

    /** Stores the rule states a batch's evaluation produced, at `at`: one statement; nothing when none changed. */
    write(states: ReadonlyMap<string, unknown>, at: number): void {
      if (states.size === 0) return
      write.run(JSON.stringify([...states].map(([point, state]) => [point, JSON.stringify(state), at])))
    },
  }
}
