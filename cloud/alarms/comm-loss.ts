import type { Logger } from 'pino'
import type { Clock } from '../../shared/clock.ts'
import { startPeriodic } from '../../shared/periodic.ts'
import { errorMessage } from '../../shared/errors.ts'
import { defaultPriorityMatrix, priorityOf, type PriorityMatrix } from '../../shared/rules/priority.ts'
import type { Store } from '../store/store.ts'
import { checkEdgeClocks } from './clock.ts'

/**
 * Communication loss (brief §5: offline / comm loss of a point, a device, an edge), the shell
 * that watches time: no sample can say "nothing arrives".
 * - STALE on a registered point that had good data but none for `staleAfterMs` (bad samples
 *   don't count: a transmitter stuck at Bad is lost too); it recovers with the next good sample.
 * - OFFLINE on `edge:{id}` when an edge is not heard from for `edgeOfflineAfterMs` or announced
 *   its death; it recovers when the edge is back.
 * - OFFLINE on `camera:{id}` when its edge reports the camera offline for `cameraOfflineAfterMs`;
 *   it recovers when the edge reports it back (at the edge's time).
 * A device that fails makes all its points stale, each its own alarm (the board groups them).
 */
export interface CommLossWatcher {
  runOnce(): Promise<{ raised: number; recovered: number }>
  stop(): void
}

export function startCommLossWatcher(o: {
  store: Store
  clock: Clock
  log: Logger
  staleAfterMs: number
  edgeOfflineAfterMs: number
  cameraOfflineAfterMs?: number
  clockOffsetAlarmMs?: number
  intervalMs?: number
  priorities?: PriorityMatrix
}): CommLossWatcher {
  const { store, clock, log } = o
  const matrix = o.priorities ?? defaultPriorityMatrix

  const runOnce = async () => {
    const now = clock.now()
    let raised = 0
    let recovered = 0
    for (const p of await store.commLossCandidates()) {
      if (p.lastGoodTs === null) continue // never had data: not commissioned yet
      const silent = now - p.lastGoodTs
      if (silent > o.staleAfterMs) {
        if (
          await store.raiseSystemAlarm({
            point: p.id,
            kind: 'STALE',
            priority: priorityOf('STALE', p.class ?? 'general', matrix),
            ts: p.lastGoodTs + o.staleAfterMs,
            value: Math.round(silent / 1000),
            limit: Math.round(o.staleAfterMs / 1000),
          })
        )
          raised++
      } else if (await store.recoverSystemAlarm(p.id, 'STALE', p.lastGoodTs, 0)) recovered++
    }
    const edges = await store.listEdges()
    // An edge's clock off by more than the threshold: CLOCK on edge:{id} (cloud/alarms/clock.ts).
    const clocks = await checkEdgeClocks(store, edges, {
      now,
      edgeOfflineAfterMs: o.edgeOfflineAfterMs,
      thresholdMs: o.clockOffsetAlarmMs ?? 60_000,
      priority: priorityOf('STALE', 'general', matrix),
    })
    raised += clocks.raised
    recovered += clocks.recovered
    for (const e of edges) {
      const seen = e.lastSeen ?? 0
      const offline = !e.online || now - seen > o.edgeOfflineAfterMs
      const point = `edge:${e.id}`
      if (offline) {
        if (
          await store.raiseSystemAlarm({
            point,
            kind: 'OFFLINE',
            priority: priorityOf('STALE', 'general', matrix),
            ts: e.online ? seen + o.edgeOfflineAfterMs : seen,
            value: Math.round((now - seen) / 1000),
            limit: Math.round(o.edgeOfflineAfterMs / 1000),
          })
        )
          raised++
      } else if (await store.recoverSystemAlarm(point, 'OFFLINE', seen, 0)) recovered++
    }
    // A camera its edge reports offline (the edge's time of the transition) for too long.
    const cameraAfter = o.cameraOfflineAfterMs ?? 300_000
    for (const c of await store.listCameras('all')) {
      if (c.online === null || c.since === null) continue
      const point = `camera:${c.id}`
      if (!c.online && now - c.since > cameraAfter) {
        if (
          await store.raiseSystemAlarm({
            point,
            kind: 'OFFLINE',
            priority: priorityOf('STALE', 'general', matrix),
            ts: c.since + cameraAfter,
            value: Math.round((now - c.since) / 1000),
            limit: Math.round(cameraAfter / 1000),
          })
        )
          raised++
      } else if (c.online && (await store.recoverSystemAlarm(point, 'OFFLINE', c.since, 0))) recovered++
    }
    if (raised + recovered > 0) log.info({ raised, recovered }, 'communication-loss alarms updated')
    return { raised, recovered }
  }

  const job = startPeriodic(clock, o.intervalMs ?? 30_000, runOnce, (err) =>
    log.error({ err: errorMessage(err) }, 'communication-loss check failed; the next round tries again'),
  )
  return {
    runOnce,
    stop: () => job.stop(),
  }
}
