import type { Logger } from 'pino'
import type { Clock } from '../../../shared/clock.ts'
import { errorMessage } from '../../../shared/errors.ts'
import { startPeriodic } from '../../../shared/periodic.ts'
import type { Scope } from '../../auth/roles.ts'
import type { Recipient } from '../../notify/config.ts'
import type { GasArea, Store } from '../../store/store.ts'
import type { AlarmFeed } from '../feed.ts'
import { actOnGasWarning, decideGasWarning, type GasAct, type GasActOutcome } from './decide.ts'
import { gasRules, type GasWarningRecord, type GasWarningsConfig } from './model.ts'
import { planGasPushes } from './pushes.ts'
import { gasRecipients } from './recipients.ts'

export interface GasWarnings {
  /** Re-evaluates one area now (also what an alarm change of its gas points does). */
  evaluate(area: GasArea): Promise<void>
  /** The timer's work: open warnings re-evaluated (durations grow), notices sent when due. */
  tick(): Promise<void>
  act(id: number, act: GasAct, scope: Scope): Promise<GasActOutcome | null>
  stop(): void
}

/**
 * Gas-leak warnings, the shell around cloud/alarms/gas/decide.ts: raises and recoveries of gas
 * points (from the alarm feed, after their commit) re-evaluate their area; a timer re-evaluates
 * open warnings and sends due notices. One queue: evaluations and people's steps never interleave
 * (across replicas too, with `exclusive`).
 * Each opening, escalation and notice is saved with the pushes it calls for (./pushes.ts), in one
 * store transaction; cloud/notify sends them from that ledger.
 */
export function startGasWarnings(o: {
  store: Store
  feed: AlarmFeed
  clock: Clock
  config: GasWarningsConfig
  recipients: readonly Recipient[]
  log: Logger
  intervalMs?: number
  /**
   * Issue 16: runs each step exclusive across cloud replicas (cloud/cluster/pg-mutex.ts); every
   * replica hears every gas alarm change, so each evaluates under it and the second finds the
   * first's result. Default: this process's queue alone (SQLite).
   */
  exclusive?: <T>(fn: () => Promise<T>) => Promise<T>
  /** Issue 16: the timer's re-evaluation runs on the leading replica only (default: always). */
  leading?: () => boolean
}): GasWarnings {
  const { store, clock, log } = o
  const rules = gasRules(o.config)
  let queue: Promise<unknown> = Promise.resolve()
  const exclusive = o.exclusive ?? (<T>(fn: () => Promise<T>) => fn())
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const step = () => exclusive(fn)
    const next = queue.then(step, step)
    queue = next.catch(() => {})
    return next
  }
  const tell = (w: GasWarningRecord): GasWarningRecord => {
    const last = w.history.at(-1)
    if (!last || (last.action !== 'opened' && last.action !== 'escalated' && last.action !== 'notice')) return w
    const history = [...w.history.slice(0, -1), { ...last, tell: gasRecipients(w.colour, w, o.recipients) }]
    return { ...w, history }
  }

  const evaluateNow = async (area: GasArea) => {
    const now = clock.now()
    const open = await store.openGasWarning(area.id)
    const facts = await store.gasAlarmFacts(area.id, now - rules.windowMs)
    const d = decideGasWarning(area, open, facts, now, rules)
    if (d.kind === 'open') {
      // The placeholder id only lets tell() take a record; the store assigns the real one.
      const { id: _, ...told } = tell({ id: 0, ...d.warning })
      const w = await store.insertGasWarning(told, planGasPushes(told, o.recipients))
      log.warn(
        { warning: w.id, area: area.id, colour: w.colour, tell: w.history.at(-1)?.tell },
        'gas-leak warning opened',
      )
    } else if (d.kind === 'update') {
      const w = d.escalated ? tell(d.warning) : d.warning
      await store.saveGasWarning(w, d.escalated ? planGasPushes(w, o.recipients) : [])
      if (d.escalated)
        log.warn(
          { warning: w.id, area: area.id, colour: w.colour, tell: w.history.at(-1)?.tell },
          'gas-leak warning escalated',
        )
    }
  }
  const evaluate = (area: GasArea) => serial(() => evaluateNow(area))

  const unsubscribe = o.feed.subscribe((change) => {
    if (change.historical || (change.action !== 'raise' && change.action !== 'recover')) return
    void serial(async () => {
      const alarm = await store.getAlarm(change.alarm, 'all')
      const area = alarm ? await store.gasAreaOf(alarm.point) : null
      if (area) await evaluateNow(area)
    }).catch((err) => log.error({ err: errorMessage(err), alarm: change.alarm }, 'gas-leak warning not evaluated'))
  })

  const tick = () =>
    serial(async () => {
      if (o.leading && !o.leading()) return
      for (const w of await store.openGasWarnings())
        await evaluateNow({ id: w.area, enterprise: w.enterprise, publicArea: w.publicArea })
      for (const w of await store.openGasWarnings()) {
        const notice = actOnGasWarning(w, { action: 'notice' }, clock.now())
        if (!notice.ok) continue
        const told = tell(notice.warning)
        await store.saveGasWarning(told, planGasPushes(told, o.recipients))
        log.warn(
          { warning: w.id, area: w.area, colour: w.colour, tell: told.history.at(-1)?.tell },
          'gas-leak warning unhandled: notice',
        )
      }
    })

  const act = (id: number, step: GasAct, scope: Scope) =>
    serial(async () => {
      const w = await store.getGasWarning(id, scope)
      if (!w) return null
      const outcome = actOnGasWarning(w, step, clock.now())
      if (outcome.ok) await store.saveGasWarning(outcome.warning)
      return outcome
    })

  const timer = startPeriodic(clock, o.intervalMs ?? 60_000, tick, (err) =>
    log.error({ err: errorMessage(err) }, 'gas-leak warning timer failed'),
  )
  return {
    evaluate,
    tick,
    act,
    stop: () => {
      unsubscribe()
      timer.stop()
    },
  }
}
