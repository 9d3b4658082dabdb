import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createLogger } from '../log.ts'
import { tempStore } from '../../test/cloud/helpers.ts'
import { type SteppedClock, steppedClock } from '../../test/util/stepped-clock.ts'
import { ReportsConfig } from './config.ts'
import { createReportRunner } from './generate.ts'
import { zonedTime } from './period.ts'
import { startReportScheduler, type ReportScheduler } from './scheduler.ts'

/** Schedules fire on fake time, in the park's zone, over the period that just ended. */
const TZ = 'Asia/Shanghai'
const at = (month: number, day: number, hour: number, minute = 0) => zonedTime(TZ, 2026, month, day, hour, minute)
const SHIFTS = { shiftChanges: ['08:00', '20:00'], utcOffset: '+08:00' }

let ctx: Awaited<ReturnType<typeof tempStore>>
let scheduler: ReportScheduler | undefined
let clock: SteppedClock

beforeEach(async () => {
  ctx = await tempStore()
})
afterEach(async () => {
  scheduler?.stop()
  await scheduler?.idle()
  await ctx.dispose()
})

function start(definitions: unknown[]) {
  const config = ReportsConfig.parse({ definitions })
  const runner = createReportRunner({
    store: ctx.store,
    config,
    dir: path.join(ctx.dir, 'reports'),
    clock,
  })
  scheduler = startReportScheduler({
    runner,
    config,
    shifts: SHIFTS,
    clock,
    log: createLogger({ level: 'silent' }),
  })
  return scheduler
}

// Fake time on the injected clock only: file, stream and database I/O (and the store's timers) stay real.
const fakeTime = (now: number) => void (clock = steppedClock(now))

describe('report schedule', () => {
  it('a shift report fires at its time in Asia/Shanghai and covers the shift that just ended', async () => {
    fakeTime(at(3, 2, 7, 59))
    const s = start([{ name: 'shift', kind: 'shift', period: 'shift', schedule: '5 8,20 * * *', formats: ['xlsx'] }])
    expect(s.nextRuns()).toEqual([{ name: 'shift', at: at(3, 2, 8, 5) }])
    await clock.advance(5 * 60_000)
    await s.idle()
    expect(await ctx.store.reports.list({ limit: 10 })).toEqual([])
    await clock.advance(60_000)
    await s.idle()
    const [report] = await ctx.store.reports.list({ limit: 10 })
    expect(report).toMatchObject({
      name: 'shift',
      trigger: 'schedule',
      from: at(3, 1, 20),
      to: at(3, 2, 8),
      generatedAt: at(3, 2, 8, 5),
    })
    expect(s.nextRuns()).toEqual([{ name: 'shift', at: at(3, 2, 20, 5) }])
  })

  it('a monthly report waits across days (timers re-armed) and covers the previous month', async () => {
    fakeTime(at(2, 27, 12))
    const s = start([
      { name: 'monthly', kind: 'alarm_analysis', period: 'month', schedule: '30 0 1 * *', formats: ['xlsx'] },
    ])
    await clock.advance(at(3, 1, 0, 31) - at(2, 27, 12))
    await s.idle()
    const reports = await ctx.store.reports.list({ limit: 10 })
    expect(reports).toHaveLength(1)
    expect(reports[0]).toMatchObject({ from: at(2, 1, 0), to: at(3, 1, 0), empty: true })
  })

  it('at start, makes the latest period that has no report yet, once', async () => {
    fakeTime(at(3, 2, 9))
    const s = start([
      { name: 'daily', kind: 'offline_points', period: 'day', schedule: '10 0 * * *', formats: ['xlsx'] },
      { name: 'manual-only', kind: 'shift', period: 'shift', formats: ['xlsx'] },
    ])
    await s.catchUp()
    await s.catchUp()
    const reports = await ctx.store.reports.list({ limit: 10 })
    expect(reports.map((r) => [r.name, r.trigger, r.from, r.to])).toEqual([
      ['daily', 'catch_up', at(3, 1, 0), at(3, 2, 0)],
    ])
  })
})
