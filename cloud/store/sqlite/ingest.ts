import { and, eq, isNull, lt, or, sql } from 'drizzle-orm'
import type { Logger } from 'pino'
import type { PointClass } from '../../../shared/rules/priority.ts'
import type { DataBatch } from '../../../shared/wire/messages.ts'
import type { Sample } from '../../../shared/wire/sample.ts'
import { parseRuleState, type AlarmEvent, type PointEvaluator } from '../../alarms/evaluate.ts'
import type { AlarmChange, IngestResult } from '../store.ts'
import { append } from './alarms.ts'
import type { Db } from './db.ts'
import { alarmSuppressions, alarms, batches, edges, points, ruleState, samples } from './schema.ts'
import { windowsByPoint } from './windows.ts'
import { encodeValue } from './values.ts'

/** Rows per multi-row INSERT: 8 columns × 1000 stays far below SQLite's bound-parameter limit. */
const CHUNK = 1000

/**
 * The batch transaction (see Store.ingestBatch). Synchronous: better-sqlite3 runs it on this
 * thread, so it is atomic with respect to everything else in the process as well.
 */
export function createBatchIngest(db: Db, evaluate: PointEvaluator, log: Logger, emit: (change: AlarmChange) => void = () => {}) {
  const p = sql.placeholder
  const ensurePoint = db
    .insert(points)
    .values({ id: p('id'), edge: p('edge') })
    .onConflictDoUpdate({ target: points.id, set: { edge: sql`coalesce(${points.edge}, excluded.edge)` } })
    .prepare()
  const updateLatest = db
    .update(points)
    .set({ latestTs: sql`${p('ts')}`, latestValue: sql`${p('value')}`, latestText: sql`${p('text')}`, latestQuality: sql`${p('quality')}`, latestReason: sql`${p('reason')}` })
    .where(and(eq(points.id, p('id')), or(isNull(points.latestTs), lt(points.latestTs, p('ts')))))
    .prepare()
  const rulePoint = db.select({ class: points.class, limits: points.limits }).from(points).where(eq(points.id, p('id'))).prepare()
  const loadState = db.select({ state: ruleState.state }).from(ruleState).where(eq(ruleState.point, p('point'))).prepare()
  const saveState = db
    .insert(ruleState)
    .values({ point: p('point'), state: p('state'), updatedAt: p('at') })
    .onConflictDoUpdate({ target: ruleState.point, set: { state: sql`excluded.state`, updatedAt: sql`excluded.updated_at` } })
    .prepare()

  /** Applies a rule event; returns the alarm it changed (for the timeline and the stream). */
  function applyEvent(e: AlarmEvent): AlarmChange | null {
    if (e.type === 'raise') {
      // The partial unique index allows one active alarm per (point, kind); a conflict means the
      // alarm is already active, and the batch must still be stored.
      const row = db.insert(alarms).values({ point: e.point, kind: e.kind, priority: e.priority, raisedAt: e.ts, value: e.value, limit: e.limit }).onConflictDoNothing().returning({ id: alarms.id }).get()
      if (!row) {
        log.warn({ point: e.point, kind: e.kind }, 'alarm raise ignored: an alarm of this kind is already active')
        return null
      }
      append(db, row.id, { at: e.ts, actor: 'system', action: 'raise', detail: { kind: e.kind, priority: e.priority, value: e.value, limit: e.limit } })
      return { alarm: row.id, action: 'raise', at: e.ts }
    }
    const row = db
      .update(alarms)
      .set({ recoveredAt: e.ts, recoveredValue: e.value, state: 'recovered' })
      .where(and(eq(alarms.point, e.point), eq(alarms.kind, e.kind), eq(alarms.state, 'active')))
      .returning({ id: alarms.id })
      .get()
    if (!row) return null
    append(db, row.id, { at: e.ts, actor: 'system', action: 'recover', detail: { value: e.value } })
    return { alarm: row.id, action: 'recover', at: e.ts }
  }

  return (batch: DataBatch, meta: { site: string; receivedAt: number }): IngestResult => {
    const changes: AlarmChange[] = []
    const result = db.transaction(
      (tx) => {
        const inserted = tx
          .insert(batches)
          .values({ edge: batch.edge, seq: batch.seq, session: batch.session, floor: batch.floor, receivedAt: meta.receivedAt, sampleCount: batch.samples.length })
          .onConflictDoNothing()
          .run()
        if (inserted.changes === 0) {
          const existing = tx.select({ n: batches.sampleCount }).from(batches).where(and(eq(batches.edge, batch.edge), eq(batches.seq, batch.seq))).get()
          return { duplicate: true, suspectSeqReuse: existing?.n !== batch.samples.length, samples: 0, raised: 0, recovered: 0, stale: 0, suppressed: 0 }
        }
        // Data proves the edge is connected; online/session are decided by status messages.
        tx.insert(edges)
          .values({ id: batch.edge, site: meta.site, session: batch.session, online: true, lastSeen: meta.receivedAt })
          .onConflictDoUpdate({ target: edges.id, set: { site: meta.site, lastSeen: sql`max(coalesce(${edges.lastSeen}, 0), excluded.last_seen)` } })
          .run()
        for (let i = 0; i < batch.samples.length; i += CHUNK) {
          const rows = batch.samples.slice(i, i + CHUNK).map((s) => {
            const v = encodeValue(s.value)
            return { edge: batch.edge, seq: batch.seq, point: s.point, ts: s.ts, value: v.value, valueText: v.text, quality: s.quality, reason: s.reason ?? null }
          })
          tx.insert(samples).values(rows).run()
        }
        const result: IngestResult = { duplicate: false, suspectSeqReuse: false, samples: batch.samples.length, raised: 0, recovered: 0, stale: 0, suppressed: 0 }
        const times = batch.samples.map((s) => s.ts)
        const windows = times.length === 0 ? new Map() : windowsByPoint(db, Math.min(...times), Math.max(...times))
        for (const [point, group] of groupByPoint(batch.samples)) {
          ensurePoint.run({ id: point, edge: batch.edge })
          const newest = group.reduce((a, b) => (b.ts >= a.ts ? b : a))
          const v = encodeValue(newest.value)
          updateLatest.run({ id: point, ts: newest.ts, value: v.value, text: v.text, quality: newest.quality, reason: newest.reason ?? null })

          const info = rulePoint.get({ id: point })
          const storedJson = loadState.get({ point })?.state
          const stored = storedJson === undefined ? null : parseRuleState(storedJson)
          if (storedJson !== undefined && stored === null) log.warn({ point }, 'unreadable rule state; evaluation starts fresh')
          const covering = windows.get(point) as Array<{ id: number; from: number; to: number }> | undefined
          const windowAt = covering ? (ts: number) => covering.find((w) => w.from <= ts && ts < w.to)?.id ?? null : undefined
          const evaluation = evaluate({ id: point, class: (info?.class ?? null) as PointClass | null, limits: info?.limits ?? null, ...(windowAt ? { windowAt } : {}) }, stored, group)
          for (const x of evaluation.suppressed) tx.insert(alarmSuppressions).values({ window: x.window, point: x.point, kind: x.kind, priority: x.priority, ts: x.ts, value: x.value }).run()
          result.suppressed += evaluation.suppressed.length
          result.stale += evaluation.stale
          for (const e of evaluation.events) {
            const change = applyEvent(e)
            if (!change) continue
            changes.push(change)
            if (e.type === 'raise') result.raised++
            else result.recovered++
          }
          if (evaluation.state) saveState.run({ point, state: evaluation.state, at: meta.receivedAt })
        }
        return result
      },
      { behavior: 'immediate' },
    )
    // Told only once committed: a rolled-back batch changed nothing.
    for (const c of changes) emit(c)
    return result
  }
}

/** Samples grouped by point, batch order kept within each group. */
function groupByPoint(list: readonly Sample[]): Map<string, Sample[]> {
  const groups = new Map<string, Sample[]>()
  for (const s of list) {
    const g = groups.get(s.point)
    if (g) g.push(s)
    else groups.set(s.point, [s])
  }
  return groups
}
