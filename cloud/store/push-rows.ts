import type { PlannedGasPush } from '../alarms/gas/pushes.ts'
import type { PlannedPush } from '../notify/plan.ts'

/**
 * The push ledgers' rows as both engines plan them (notification_deliveries for alarms,
 * gas_warning_deliveries for gas-leak warnings): each push is first tried when it is due. The
 * ledgers' unique keys make planning idempotent (a replayed raise or step is one row).
 */

export const alarmPushRows = (alarm: number, pushes: readonly PlannedPush[]) =>
  pushes.map((p) => ({
    alarm,
    recipient: p.recipient,
    channel: p.channel,
    n: p.n,
    dueAt: p.dueAt,
    nextAt: p.dueAt,
    reason: p.reason ?? ('alarm' as const),
  }))

export const gasPushRows = (warning: number, pushes: readonly PlannedGasPush[]) =>
  pushes.map((p) => ({ warning, ...p, nextAt: p.dueAt }))
