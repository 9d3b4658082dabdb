import type { Logger } from 'pino'
import type { Clock } from '../../shared/clock.ts'
import { startCommLossWatcher } from '../alarms/comm-loss.ts'
import { startAlarmReminders } from '../alarms/reminders.ts'
import type { CloudConfig } from '../config.ts'
import type { openExchange } from '../exchange/service.ts'
import { startExchangeSchedule } from '../exchange/service.ts'
import type { CloudMetrics } from '../metrics.ts'
import { startDispatcher } from '../notify/dispatcher.ts'
import type { ReportRunner } from '../reports/generate.ts'
import { startReportSchedule } from '../reports/service.ts'
import type { Store } from '../store/store.ts'
import { startHistorianCompaction } from '../telemetry/compaction-job.ts'
import { startRetentionJob } from '../telemetry/retention-job.ts'
import type { LeaderJobs } from './leader.ts'

export interface LeaderJobDeps {
  config: CloudConfig
  store: Store
  clock: Clock
  log: Logger
  metrics: CloudMetrics
  runner: ReportRunner
  exchange: ReturnType<typeof openExchange>
}

/**
 * Everything time starts rather than a request or a message: run by the leader only (./leader.ts),
 * so across replicas each runs once. Reminders (overdue, re-contact, shelve expiry), comm loss,
 * the notification dispatcher, the report and exchange schedules, retention and the historian's
 * compaction. Their writes stay safe in the brief overlap of a hand-over: system alarms are one
 * INSERT … ON CONFLICT on the one-active-alarm index, reminders' notes are idempotent per due
 * time (noteAlarm), pushes are claimed (claimPushes), compaction and partitions hold their
 * advisory locks.
 */
export function startLeaderJobs(d: LeaderJobDeps): LeaderJobs {
  const { config, store, clock, log } = d
  const reminders = startAlarmReminders({ store, clock, log: log.child({ component: 'reminders' }) })
  const commLoss = startCommLossWatcher({
    store,
    clock,
    log: log.child({ component: 'comm-loss' }),
    staleAfterMs: config.alarms.staleAfterS * 1000,
    edgeOfflineAfterMs: config.edgeOfflineAfterMs,
    cameraOfflineAfterMs: config.alarms.cameraOfflineAfterS * 1000,
    clockOffsetAlarmMs: config.time.clockOffsetAlarmS * 1000,
    priorities: config.alarms.priorities,
  })
  const dispatcher = startDispatcher({
    config: config.notifications,
    store,
    clock,
    log: log.child({ component: 'notify' }),
    counts: d.metrics.pushes,
  })
  const reports = startReportSchedule({ runner: d.runner, config, clock, log: log.child({ component: 'reports' }) })
  const exchangeSchedule = startExchangeSchedule({
    exchange: d.exchange,
    config,
    clock,
    log: log.child({ component: 'exchange' }),
  })
  const retention = startRetentionJob({
    store,
    policy: config.store.retention,
    clock,
    log: log.child({ component: 'retention' }),
    status: d.metrics.retention,
  })
  const compaction = startHistorianCompaction({
    store,
    clock,
    log: log.child({ component: 'historian' }),
    config: config.historian,
    metrics: d.metrics,
  })
  return {
    async stop() {
      reminders.stop()
      compaction.stop()
      commLoss.stop()
      dispatcher.stop()
      await reports.stop()
      await exchangeSchedule.stop()
      await retention.stop()
    },
  }
}
