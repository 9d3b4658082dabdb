import type { Priority } from '../../shared/rules/priority.ts'
import type { EdgeRecord, Store } from '../store/store.ts'

/**
 * CLOCK on `edge:{id}` (issue 14): the edge's clock is off the cloud's by more than the
 * threshold (config `time.clockOffsetAlarmS`, default 60 s), as estimated from its fresh status
 * messages (cloud/ingest/clock-offset.ts). Its samples are then likely stamped wrong: they are
 * stored as clock_skew once outside the window, and its backlog's historical marking is not
 * trusted (cloud/ingest/time-check.ts). Value: the offset in seconds (+ ahead, − behind); limit:
 * the threshold. It recovers when an estimate is back within. Only an edge online and heard from
 * recently is judged: a silent edge is OFFLINE, and its last estimate says nothing new.
 */
export async function checkEdgeClocks(
  store: Store,
  edges: readonly EdgeRecord[],
  o: { now: number; edgeOfflineAfterMs: number; thresholdMs: number; priority: Priority },
): Promise<{ raised: number; recovered: number }> {
  let raised = 0
  let recovered = 0
  for (const e of edges) {
    const offset = e.clockOffsetMs ?? null
    const at = e.clockCheckedAt ?? null
    if (offset === null || at === null || !e.online || o.now - at > o.edgeOfflineAfterMs) continue
    const point = `edge:${e.id}`
    if (Math.abs(offset) > o.thresholdMs) {
      if (
        await store.raiseSystemAlarm({
          point,
          kind: 'CLOCK',
          priority: o.priority,
          ts: at,
          value: Math.round(offset / 1000),
          limit: Math.round(o.thresholdMs / 1000),
        })
      )
        raised++
    } else if (await store.recoverSystemAlarm(point, 'CLOCK', at, Math.round(offset / 1000))) recovered++
  }
  return { raised, recovered }
}
