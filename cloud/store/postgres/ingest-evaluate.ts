import type { Logger } from 'pino'
import type { PointEvaluator, Suppression } from '../../../shared/rules/evaluate.ts'
import type { EdgeAlarm } from '../../../shared/wire/messages.ts'
import type { Sample } from '../../../shared/wire/sample.ts'
import { edgeAlarmEntry, edgeAlarmMatch } from '../../alarms/engine/edge-alarms.ts'
import { evaluateBacklog, evaluateLive, groupByPoint, liveSnapshot, rulePointOf } from '../../alarms/engine/point.ts'
import { ruleEventWrite } from '../../alarms/engine/rule-events.ts'
import { countTrace, type TraceRecord } from '../../alarms/engine/trace.ts'
import type { AlarmChange } from '../../alarms/model.ts'
import type { IngestResult } from '../repos/ingest.ts'
import { alarmAt, appendTimeline, saveAlarm } from './alarm-writes.ts'
import { batchesWaiting, keepWaiting } from './batch-rows.ts'
import { traceRows, type UnevaluatedRow, writeTraces } from './late.ts'
import { applyReplayEvent, finalizeReplay, loadReplay, replayActive, saveReplay, snapshotReplay } from './replay.ts'
import { readRuleFacts, writeRuleStates } from './rule-facts.ts'
import { alarmSuppressions } from './schema.ts'
import type { PgTx } from './tx.ts'
import { windowsByPoint } from './windows-in-force.ts'

/** One batch transaction's working set: what it counts, the changes to tell after commit, the rows it writes once at the end. */
export interface BatchWork {
  tx: PgTx
  evaluate: PointEvaluator
  log: Logger
  result: IngestResult
  changes: AlarmChange[]
  traces: UnevaluatedRow[]
  suppressed: Suppression[]
}

/** Which batch is evaluated, and how (cloud/alarms/engine/point.ts batchMode). */
export interface BatchAt {
  edge: string
  outbox: string
  seq: number
  /** When it arrived (the rule state's and the trace's time). */
  at: number
  historical: boolean
  live: boolean
}

/** The trace rows and the suppressed raises the work collected: one multi-row INSERT each, at its end. */
export async function flushWork(w: BatchWork): Promise<void> {
  await writeTraces(w.tx, w.traces)
  if (w.suppressed.length > 0)
    await w.tx.insert(alarmSuppressions).values(
      w.suppressed.map((x) => ({
        window: x.window,
        point: x.point,
        kind: x.kind,
        priority: x.priority,
        ts: x.ts,
        value: x.value,
      })),
    )
  w.result.suppressed += w.suppressed.length
  w.traces = []
  w.suppressed = []
}

function trace(w: BatchWork, b: BatchAt, point: string, records: readonly TraceRecord[]): void {
  w.traces.push(...traceRows({ edge: b.edge, seq: b.seq, receivedAt: b.at }, point, records))
  countTrace(w.result, records)
}

/** An edge's alarm change noted on the cloud's own episode (cloud/alarms/engine/edge-alarms.ts); false: none matches. */
async function reconcile(w: BatchWork, edge: string, e: EdgeAlarm): Promise<boolean> {
  const id = await alarmAt(w.tx, edgeAlarmMatch(e))
  if (id === null) return false
  await appendTimeline(w.tx, id, edgeAlarmEntry(edge, e))
  return true
}

/**
 * Rule evaluation of one batch's samples and reconciliation of the edge's alarms, inside its
 * transaction (as sqlite/ingest.ts evaluateBatch): one read of the points' facts, one of the
 * windows in force, one write of the rule states the batch moved; alarm rows only where the
 * engine decided a change. Returns the edge alarms waiting for a replay's end.
 */
export async function evaluateBatch(
  w: BatchWork,
  b: BatchAt,
  list: readonly Sample[],
  edgeAlarms: readonly EdgeAlarm[],
) {
  const windows = list.length === 0 ? new Map() : await windowsByPoint(w.tx, minTs(list), maxTs(list))
  const replaying = new Set<string>()
  const copies = !b.live && (await replayActive(w.tx, b.edge, b.outbox))
  const groups = groupByPoint(list)
  const known = await readRuleFacts(w.tx, [...groups.keys()])
  const states = new Map<string, unknown>()
  for (const [point, group] of groups) {
    const facts = known.get(point) ?? null
    const rp = rulePointOf(point, facts, windows.get(point))
    const backlog = copies ? await loadReplay(w.tx, point) : null
    if (backlog) {
      // History: evaluated against the copy, up to where live data took over.
      replaying.add(point)
      const out = evaluateBacklog(w.evaluate, rp, backlog, group)
      w.suppressed.push(...out.evaluation.suppressed)
      w.result.stale += out.stale
      trace(w, b, point, out.trace)
      for (const e of out.evaluation.events) await applyReplayEvent(w.tx, backlog, e, w.changes)
      if (out.evaluation.state || out.evaluation.events.length > 0)
        await saveReplay(w.tx, backlog, out.evaluation.state)
      continue
    }
    const snapshot = liveSnapshot(rp, facts, group, b.live)
    if (snapshot) await snapshotReplay(w.tx, b, point, snapshot.firstTs, facts?.state)
    const out = evaluateLive(w.evaluate, rp, facts, group)
    if (out.unreadable) w.log.warn({ point }, 'unreadable rule state; evaluation starts fresh')
    w.suppressed.push(...out.evaluation.suppressed)
    w.result.stale += out.evaluation.stale
    trace(w, b, point, out.trace)
    for (const e of out.evaluation.events) {
      const write = ruleEventWrite(e, b.historical)
      const id = await saveAlarm(w.tx, write, w.changes)
      if (id === null && write.type === 'raise')
        w.log.warn({ point: e.point, kind: e.kind }, 'alarm raise ignored: an alarm of this kind is already active')
      else if (id !== null && e.type === 'raise') w.result.raised++
      else if (id !== null && e.type === 'recover') w.result.recovered++
    }
    if (out.evaluation.state) states.set(point, out.evaluation.state)
  }
  await writeRuleStates(w.tx, states, b.at)
  const waiting: EdgeAlarm[] = []
  for (const e of edgeAlarms) {
    if (await reconcile(w, b.edge, e)) w.result.edgeAlarms.matched++
    else if (replaying.has(e.point)) waiting.push(e)
    else w.result.edgeAlarms.unmatched++
  }
  return waiting
}

/** The backlog is evaluated through `seq`: settle the replay copies done with, then the edge alarms that waited for them. */
export async function finishReplay(w: BatchWork, edge: string, outbox: string, seq: number): Promise<void> {
  if (!(await replayActive(w.tx, edge, outbox))) return
  if ((await finalizeReplay(w.tx, { edge, outbox, seq }, w.changes, w.log)) === 0) return
  for (const b of await batchesWaiting(w.tx, edge, outbox)) {
    for (const e of b.alarms ?? []) {
      if (await reconcile(w, edge, e)) w.result.edgeAlarms.matched++
      else w.result.edgeAlarms.unmatched++
    }
    await keepWaiting(w.tx, { edge, outbox, seq: b.seq }, null)
  }
}

const minTs = (list: readonly Sample[]) => list.reduce((m, s) => Math.min(m, s.ts), Number.POSITIVE_INFINITY)
const maxTs = (list: readonly Sample[]) => list.reduce((m, s) => Math.max(m, s.ts), Number.NEGATIVE_INFINITY)
