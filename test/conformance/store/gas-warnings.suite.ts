import { afterEach, beforeEach, describe, expect } from 'vitest'
import type { NewAlarm } from '../../../cloud/alarms/engine/writes.ts'
import type { GasWarningRecord } from '../../../cloud/alarms/gas/model.ts'
import type { PlannedGasPush } from '../../../cloud/alarms/gas/pushes.ts'
import type { GasWarningRepo } from '../../../cloud/store/repos/gas-warnings.ts'
import type { Store } from '../../../cloud/store/store.ts'
import {
  LEVEL,
  registry,
  type SeedAlarm,
  type SeededHandle,
  type SeededSectionOptions,
  sectionTest,
  T0,
} from './fixtures.ts'

/** What the gas-warnings section needs: GasWarningRepo, and the registry its areas and gas points come from. */
export type GasWarningRepos = GasWarningRepo & Pick<Store, 'applyRegistry' | 'registry'>

const FARM = 'shilian-tf'
const YARD = 'park-yard'
const GT1 = 'shilian.gt101.nh3'
const GT2 = 'shilian.gt102.nh3'
/** A gas detector of another area, and one with no area. */
const GT3 = 'shilian.gt103.nh3'
const GT4 = 'shilian.gt104.nh3'
const MIN = 60_000

const gasPoint = (id: string) => ({
  id,
  name: id,
  unit: 'ppm',
  enterprise: 'shilian',
  class: 'gas' as const,
  limitsFromSource: false,
  limits: { hh: 40, h: 20, deadband: 1 },
})
const warning = (more: Partial<GasWarningRecord> = {}): Omit<GasWarningRecord, 'id'> => ({
  area: FARM,
  enterprise: 'shilian',
  publicArea: false,
  colour: 'blue',
  state: 'open',
  openedAt: T0,
  colourSince: T0,
  reasons: ['1 detector in alarm'],
  active: [GT1],
  acknowledgedAt: null,
  acknowledgedBy: null,
  noticeDueAt: null,
  noticeSentAt: null,
  report: null,
  clearedAt: null,
  clearedBy: null,
  history: [{ at: T0, action: 'opened', colour: 'blue', tell: ['duty'] }],
  ...more,
})
const push = (recipient: string, more: Partial<PlannedGasPush> = {}): PlannedGasPush => ({
  step: 0,
  action: 'opened',
  colour: 'blue',
  recipient,
  channel: 'sms',
  dueAt: T0,
  ...more,
})
const gasAlarm = (point: string, more: Partial<NewAlarm> = {}): NewAlarm => ({
  point,
  kind: 'H',
  priority: 'A',
  raisedAt: T0,
  value: 25,
  limit: 20,
  ...more,
})

/** GasWarningRepo (cloud/store/repos/gas-warnings.ts) as executable tests: areas, facts, warnings and their pushes. */
export function runGasWarningTests(options: SeededSectionOptions<GasWarningRepos>): void {
  const test = sectionTest(options.skip)
  describe(`Store conformance: ${options.name} — gas warnings`, () => {
    let handle: SeededHandle<GasWarningRepos>
    let repos: GasWarningRepos
    const seed: SeedAlarm = (alarm, pushes) => handle.seedAlarm(alarm, pushes)
    beforeEach(async () => {
      handle = await options.newRepos({})
      repos = handle.repos
      await repos.applyRegistry({ ...registry, points: [...registry.points, ...[GT1, GT2, GT3, GT4].map(gasPoint)] })
      await repos.registry.create('areas', { id: FARM, enterprise: 'shilian', name: '液氨罐区', kind: 'tank farm' })
      await repos.registry.create('areas', { id: YARD, enterprise: 'shilian', name: '公共管廊', kind: 'public' })
      for (const [point, area] of [
        [GT1, FARM],
        [GT2, FARM],
        [GT3, YARD],
        [LEVEL, FARM],
      ] as const)
        await repos.registry.patchPoint(point, { area })
    })
    afterEach(() => handle.dispose())

    test("gas warnings: a gas point's area (a public one marked), none for other points or a gas point without one", async () => {
      expect(await repos.gasAreaOf(GT1)).toEqual({ id: FARM, enterprise: 'shilian', publicArea: false })
      expect(await repos.gasAreaOf(GT3)).toEqual({ id: YARD, enterprise: 'shilian', publicArea: true })
      expect(await repos.gasAreaOf(GT4)).toBeNull()
      expect(await repos.gasAreaOf(LEVEL)).toBeNull()
      expect(await repos.gasAreaOf('no.such')).toBeNull()
    })

    test("gas warnings: the facts are the area's gas H/HH alarms active at or after the look-back's start", async () => {
      await seed(gasAlarm(GT1))
      await seed(gasAlarm(GT1, { kind: 'HH', raisedAt: T0 + MIN, value: 45, limit: 40 }))
      await seed(gasAlarm(GT2, { raisedAt: T0 - 10 * MIN, recovered: { at: T0 - 5 * MIN, value: 3 } }))
      await seed(gasAlarm(GT2, { raisedAt: T0 - 3 * MIN, recovered: { at: T0 - MIN, value: 3 } }))
      // Not facts of the farm: another area's detector, a non-gas point of the area, another kind.
      await seed(gasAlarm(GT3))
      await seed(gasAlarm(LEVEL))
      await seed(gasAlarm(GT1, { kind: 'ROC', raisedAt: T0 + 2 * MIN }))
      expect(await repos.gasAlarmFacts(FARM, T0 - 2 * MIN)).toEqual([
        { detector: GT1, level: 'H', raisedAt: T0, clearedAt: null },
        { detector: GT1, level: 'HH', raisedAt: T0 + MIN, clearedAt: null },
        { detector: GT2, level: 'H', raisedAt: T0 - 3 * MIN, clearedAt: T0 - MIN },
      ])
      expect(await repos.gasAlarmFacts(FARM, T0 - MIN)).toHaveLength(3)
      expect(await repos.gasAlarmFacts(FARM, T0 - MIN + 1)).toHaveLength(2)
    })

    test('gas warnings: one open warning per area, saved whole; a cleared one is no longer open', async () => {
      const w = await repos.insertGasWarning(warning())
      expect(w).toEqual({ id: expect.any(Number), ...warning() })
      expect(await repos.openGasWarning(FARM)).toEqual(w)
      expect(await repos.openGasWarning(YARD)).toBeNull()
      await expect(repos.insertGasWarning(warning({ openedAt: T0 + 1 }))).rejects.toThrow()
      const yard = await repos.insertGasWarning(warning({ area: YARD, enterprise: null, publicArea: true }))
      expect((await repos.openGasWarnings()).map((x) => x.id)).toEqual([w.id, yard.id])

      const red: GasWarningRecord = {
        ...w,
        colour: 'red',
        colourSince: T0 + 5 * MIN,
        noticeDueAt: T0 + 5 * MIN + 43_200_000,
        report: { text: '阀门泄漏', attachments: ['a.pdf'], by: 'ehs', at: T0 + 6 * MIN },
        history: [...w.history, { at: T0 + 5 * MIN, action: 'escalated', colour: 'red', reasons: ['spread'] }],
      }
      await repos.saveGasWarning(red)
      expect(await repos.openGasWarning(FARM)).toEqual(red)
      const cleared = { ...red, state: 'cleared' as const, clearedAt: T0 + 7 * MIN, clearedBy: 'park' }
      await repos.saveGasWarning(cleared)
      expect(await repos.openGasWarning(FARM)).toBeNull()
      expect((await repos.openGasWarnings()).map((x) => x.id)).toEqual([yard.id])
      expect(await repos.getGasWarning(w.id, 'all')).toEqual(cleared)
      // The area may open again.
      expect((await repos.insertGasWarning(warning({ openedAt: T0 + 8 * MIN }))).id).not.toBe(w.id)
    })

    test('gas warnings: read by id and listed newest first, by state, at most the limit, inside the scope', async () => {
      const a = await repos.insertGasWarning(warning())
      await repos.saveGasWarning({ ...a, state: 'cleared', clearedAt: T0 + 1, clearedBy: 'park' })
      const b = await repos.insertGasWarning(warning({ openedAt: T0 + 2 }))
      const pub = await repos.insertGasWarning(
        warning({ area: YARD, enterprise: null, publicArea: true, openedAt: T0 + 1 }),
      )
      const ids = async (filter: Parameters<GasWarningRepo['listGasWarnings']>[0]) =>
        (await repos.listGasWarnings(filter)).map((w) => w.id)
      expect(await ids({ scope: 'all', limit: 10 })).toEqual([b.id, pub.id, a.id])
      expect(await ids({ scope: 'all', limit: 2 })).toEqual([b.id, pub.id])
      expect(await ids({ scope: 'all', state: 'cleared', limit: 10 })).toEqual([a.id])
      expect(await ids({ scope: { enterprise: 'shilian' }, limit: 10 })).toEqual([b.id, a.id])
      expect(await ids({ scope: { enterprise: 'fuqiang' }, limit: 10 })).toEqual([])
      expect(await repos.getGasWarning(b.id, { enterprise: 'fuqiang' })).toBeNull()
      expect(await repos.getGasWarning(pub.id, { enterprise: 'shilian' })).toBeNull()
      expect(await repos.getGasWarning(pub.id, 'all')).toMatchObject({ area: YARD, publicArea: true })
    })

    test("gas warnings: a step's pushes are stored with it once, due until recorded, a finished one final", async () => {
      const w = await repos.insertGasWarning(warning(), [push('duty'), push('duty', { channel: 'webhook' })])
      const escalated = {
        ...w,
        colour: 'yellow' as const,
        history: [...w.history, { at: T0 + MIN, action: 'escalated' as const, colour: 'yellow' as const }],
      }
      const step1 = push('boss', { step: 1, action: 'escalated', colour: 'yellow', dueAt: T0 + MIN })
      await repos.saveGasWarning(escalated, [step1])
      // The same step planned again (a retried save) is the same rows.
      await repos.saveGasWarning(escalated, [step1])
      const due = await repos.dueGasPushes(T0 + MIN, 10)
      expect(due.map((d) => [d.recipient, d.channel, d.step])).toEqual([
        ['duty', 'sms', 0],
        ['duty', 'webhook', 0],
        ['boss', 'sms', 1],
      ])
      expect(due[2]).toEqual({
        id: expect.any(Number),
        warning: w.id,
        step: 1,
        action: 'escalated',
        colour: 'yellow',
        recipient: 'boss',
        channel: 'sms',
        dueAt: T0 + MIN,
        nextAt: T0 + MIN,
        attempts: 0,
        status: 'pending',
        lastError: null,
        doneAt: null,
      })
      expect(await repos.dueGasPushes(T0, 1)).toHaveLength(1)
      await repos.recordGasPush(due[0]!.id, { status: 'sent', attempts: 1, at: T0 + 2 * MIN })
      await repos.recordGasPush(due[0]!.id, { status: 'failed', attempts: 1, at: T0 + 3 * MIN, error: 'late' })
      await repos.recordGasPush(due[1]!.id, {
        status: 'pending',
        attempts: 1,
        at: T0 + 2 * MIN,
        error: 'HTTP 500',
        nextAt: T0 + 4 * MIN,
      })
      expect((await repos.dueGasPushes(T0 + 3 * MIN, 10)).map((d) => d.recipient)).toEqual(['boss'])
      const ledger = await repos.gasWarningDeliveries(w.id, { enterprise: 'shilian' })
      expect(ledger?.map((d) => [d.status, d.attempts, d.doneAt, d.lastError])).toEqual([
        ['sent', 1, T0 + 2 * MIN, null],
        ['pending', 1, null, 'HTTP 500'],
        ['pending', 0, null, null],
      ])
      expect(await repos.gasWarningDeliveries(w.id, { enterprise: 'fuqiang' })).toBeNull()
      expect(await repos.gasWarningDeliveries(w.id + 1000, 'all')).toBeNull()
    })
  })
}
