import type { AlarmChange, AlarmRecord, PushPlanner } from '../store.ts'
import type { createDeliveryOps } from './deliveries.ts'

/** Writes, inside the caller's transaction, the pushes its alarm changes call for (a raise; a triage as valid). */
export type PlanInTx = (changes: readonly AlarmChange[]) => void

/**
 * The transactional outbox for notifications (issue 14, "alarm changes are durable"): a raise
 * and the pushes it calls for are committed together, so a crash between the alarm's commit
 * and the dispatcher cannot lose a push; the dispatcher (cloud/notify) works only from the
 * ledger. Who is told is policy: `planner` is injected (cloud/notify/plan.ts), never decided
 * here (it also decides that history from an edge's backlog is old news).
 */
export function createPushOutbox(o: {
  planner: PushPlanner | undefined
  alarm: (id: number) => AlarmRecord | null
  deliveries: ReturnType<typeof createDeliveryOps>
}): PlanInTx {
  const { planner } = o
  if (!planner) return () => {}
  return (changes) => {
    for (const c of changes) {
      const alarm = o.alarm(c.alarm)
      if (!alarm) continue
      const pushes = planner(alarm, c)
      if (pushes.length > 0) o.deliveries.enqueue(alarm.id, pushes)
    }
  }
}
