import type { Logger } from 'pino'
import type { Clock } from '../../shared/clock.ts'
import { startPeriodic } from '../../shared/periodic.ts'
import { errorMessage } from '../../shared/errors.ts'
import type { Store } from '../store/store.ts'
import { defaultWorkflowConfig, isOverdue, responseDueAt, type Disposal, type WorkflowConfig } from './workflow.ts'

/**
 * The workflow's clock (the thin shell around the pure rules): it notes on each open alarm's
 * timeline when its response deadline passed unanswered (S/A 3 min, others 10 min) and when a
 * valid alarm that has not recovered is due for another contact with the enterprise (every
 * 10 min). Each note is written once, with the time it fell due, and reaches the live stream.
 */
export interface AlarmReminders {
  /** One pass now; returns the notes written. */
  runOnce(): Promise<number>
  stop(): void
}

export function startAlarmReminders(o: {
  store: Store
  clock: Clock
  log: Logger
  intervalMs?: number
  config?: WorkflowConfig
}): AlarmReminders {
  const { store, clock, log } = o
  const config = o.config ?? defaultWorkflowConfig
  const intervalMs = o.intervalMs ?? 15_000

  const runOnce = async () => {
    const now = clock.now()
    let notes = 0
    for (const a of await store.listAlarms({ scope: 'all', state: 'open', limit: 10_000 })) {
      // A shelve ends by itself (ISA-18.2 §11.3.6): the alarm is annunciated again.
      if (a.disposal.overlay?.kind === 'shelved' && now >= a.disposal.overlay.until) {
        const r = await store.overlayAlarm(a.id, { type: 'shelve_expired' }, now, 'all')
        if (r.ok) notes++
        continue
      }
      if (a.disposal.overlay) continue // shelved or out of service: no deadline, no re-contact
      let facts = a.disposal
      const d = (): Disposal => ({
        ...facts,
        priority: a.priority,
        raisedAt: a.raisedAt,
        recoveredAt: a.recoveredAt,
        suppressed: false,
      })
      if (facts.overdueAt === undefined && isOverdue(d(), now, config)) {
        const due = responseDueAt(d(), config)
        facts = { ...facts, overdueAt: due }
        await store.noteAlarm(
          a.id,
          { at: due, actor: 'system', action: 'overdue', detail: { dueAt: due, priority: a.priority } },
          facts,
        )
        notes++
      }
      // A valid alarm not recovered: another contact every recontactMs from its raise.
      if (facts.triage?.verdict === 'valid' && a.recoveredAt === null) {
        const n = (facts.recontacts ?? 0) + 1
        const due = a.raisedAt + n * config.recontactMs
        if (now >= due) {
          facts = { ...facts, recontacts: n }
          await store.noteAlarm(
            a.id,
            {
              at: due,
              actor: 'system',
              action: 'recontact_due',
              detail: { contact: n, minutes: Math.round((n * config.recontactMs) / 60_000) },
            },
            facts,
          )
          notes++
        }
      }
    }
    return notes
  }

  const job = startPeriodic(clock, intervalMs, runOnce, (err) =>
    log.error({ err: errorMessage(err) }, 'alarm reminders failed this round; the next round tries again'),
  )
  return {
    runOnce,
    stop: () => job.stop(),
  }
}
