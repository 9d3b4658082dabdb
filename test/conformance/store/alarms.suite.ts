import { afterEach, beforeEach, describe, expect } from 'vitest'
import type { AlarmChange, SystemAlarmKind } from '../../../cloud/alarms/model.ts'
import type { AlarmRepo } from '../../../cloud/store/repos/alarms.ts'
import type { RegistryRepo } from '../../../cloud/store/repos/registry.ts'
import { LEVEL, PRESSURE, registry, type RepoHandle, sectionTest, type SectionOptions, T0 } from './fixtures.ts'

/** What the alarms section needs: AlarmRepo, and RegistryRepo to apply the park (alarms take their point's enterprise). */
export type AlarmRepos = AlarmRepo & RegistryRepo

const SHILIAN = { enterprise: 'shilian' }
const FUQIANG = { enterprise: 'fuqiang' }

/** A watcher's alarm (the one kind every engine raises without samples). */
export const systemAlarm = (point: string, kind: SystemAlarmKind, ts: number) => ({
  point,
  kind,
  priority: 'B' as const,
  ts,
  value: 120,
  limit: 60,
})

/** AlarmRepo (cloud/store/repos/alarms.ts) as executable tests. */
export function runAlarmTests(options: SectionOptions<AlarmRepos>): void {
  const test = sectionTest(options.skip)
  describe(`Store conformance: ${options.name} — alarms`, () => {
    let handle: RepoHandle<AlarmRepos>
    let repos: AlarmRepos
    let told: AlarmChange[]
    beforeEach(async () => {
      told = []
      handle = await options.newRepos({ onAlarmChange: (c) => told.push(c) })
      repos = handle.repos
      await repos.applyRegistry(registry)
    })
    afterEach(() => handle.dispose())
    const all = () => repos.listAlarms({ scope: 'all', state: 'all', limit: 100 })
    /** Raises a STALE alarm on `point` at `ts` and returns its id. */
    const raise = async (point: string, ts: number, kind: SystemAlarmKind = 'STALE') => {
      expect(await repos.raiseSystemAlarm(systemAlarm(point, kind, ts))).toBe(true)
      return (await repos.listAlarms({ scope: 'all', state: 'active', point, kind, limit: 1 }))[0]!.id
    }
    const actions = async (id: number) => (await repos.alarmTimeline(id, 'all'))!.map((e) => e.action)

    test('alarms: a system alarm is raised once while active and recovered by its watcher; a shelve is checked against the state', async () => {
      const a = systemAlarm('edge:shilian-01', 'OFFLINE', T0)
      expect(await repos.raiseSystemAlarm(a)).toBe(true)
      expect(await repos.raiseSystemAlarm({ ...a, ts: T0 + 1 })).toBe(false)
      const [offline] = await all()
      expect(offline).toMatchObject({ kind: 'OFFLINE', state: 'active', raisedAt: T0, value: 120, limit: 60 })
      expect(await repos.overlayAlarm(offline!.id, { type: 'unshelve', by: 'op' }, T0 + 4, 'all')).toMatchObject({
        ok: false,
        code: 'ALARM_STATE_CONFLICT',
      })
      const shelve = { type: 'shelve' as const, by: 'op', reason: 'works', until: T0 + 3_600_000 }
      expect(await repos.overlayAlarm(offline!.id, shelve, T0 + 5, 'all')).toMatchObject({
        ok: true,
        alarm: { disposal: { overlay: { kind: 'shelved' } } },
      })
      expect(await repos.recoverSystemAlarm(a.point, 'OFFLINE', T0 + 10, 0)).toBe(true)
      expect(await repos.recoverSystemAlarm(a.point, 'OFFLINE', T0 + 11, 0)).toBe(false)
      expect(await repos.getAlarm(offline!.id, 'all')).toMatchObject({ state: 'recovered', recoveredAt: T0 + 10 })
      expect(await actions(offline!.id)).toEqual(['raise', 'shelve', 'recover'])
      // Told after each commit, nothing for what was refused or did nothing.
      expect(told.map((c) => c.action)).toEqual(['raise', 'shelve', 'recover'])
      // Once recovered, the next loss is a new alarm.
      expect(await repos.raiseSystemAlarm({ ...a, ts: T0 + 20 })).toBe(true)
      expect((await all()).map((x) => [x.state, x.raisedAt])).toEqual([
        ['active', T0 + 20],
        ['recovered', T0],
      ])
    })

    test('alarms: the workflow checks every step against the stored facts; refusals change nothing', async () => {
      const id = await raise(LEVEL, T0)
      expect(await repos.actOnAlarm(id, { type: 'ack', by: ' ' }, T0 + 1, 'all')).toMatchObject({
        ok: false,
        code: 'BAD_REQUEST',
      })
      expect(await repos.actOnAlarm(id, { type: 'ack', by: 'op' }, T0 + 1, 'all')).toMatchObject({
        ok: true,
        alarm: { id, disposal: { ack: { by: 'op', at: T0 + 1 } } },
      })
      expect(await repos.actOnAlarm(id, { type: 'ack', by: 'op2' }, T0 + 2, 'all')).toMatchObject({
        ok: false,
        code: 'ALARM_STATE_CONFLICT',
        alarm: { id, disposal: { ack: { by: 'op' } } },
      })
      const invalid = { type: 'triage' as const, by: 'op', verdict: 'invalid' as const }
      expect(await repos.actOnAlarm(id, invalid, T0 + 3, 'all')).toMatchObject({ code: 'ALARM_STATE_CONFLICT' })
      expect(await repos.actOnAlarm(id, { type: 'close', by: 'op' }, T0 + 3, 'all')).toMatchObject({
        code: 'ALARM_STATE_CONFLICT',
      })
      const valid = { type: 'triage' as const, by: 'op', verdict: 'valid' as const, note: 'real' }
      expect(await repos.actOnAlarm(id, valid, T0 + 4, 'all')).toMatchObject({ ok: true })
      // A valid alarm closes after it recovered, with the enterprise's feedback.
      expect(await repos.actOnAlarm(id, { type: 'close', by: 'op' }, T0 + 5, 'all')).toMatchObject({ ok: false })
      expect(await repos.recoverSystemAlarm(LEVEL, 'STALE', T0 + 6, 5)).toBe(true)
      expect(await repos.actOnAlarm(id, { type: 'close', by: 'op' }, T0 + 7, 'all')).toMatchObject({ ok: false })
      const feedback = { type: 'feedback' as const, by: 'shilian-op', cause: 'sensor', measures: 'replaced' }
      expect(await repos.actOnAlarm(id, feedback, T0 + 8, SHILIAN)).toMatchObject({ ok: true })
      expect(await repos.listAlarms({ scope: 'all', state: 'open', limit: 10 })).toHaveLength(1)
      expect(await repos.actOnAlarm(id, { type: 'close', by: 'op', note: 'done' }, T0 + 9, 'all')).toMatchObject({
        ok: true,
        alarm: { closedAt: T0 + 9, disposal: { closed: { by: 'op', at: T0 + 9, note: 'done' } } },
      })
      expect(await repos.listAlarms({ scope: 'all', state: 'open', limit: 10 })).toEqual([])
      // Closed: nothing more, neither a step nor an overlay.
      expect(await repos.actOnAlarm(id, valid, T0 + 10, 'all')).toMatchObject({ code: 'ALARM_STATE_CONFLICT' })
      const oos = { type: 'remove_from_service' as const, by: 'op', reason: 'x' }
      expect(await repos.overlayAlarm(id, oos, T0 + 10, 'all')).toMatchObject({ code: 'ALARM_STATE_CONFLICT' })
      expect(await actions(id)).toEqual(['raise', 'ack', 'triage', 'recover', 'feedback', 'close'])
      expect(told.map((c) => c.action)).toEqual(['raise', 'ack', 'triage', 'recover', 'feedback', 'close'])
    })

    test("alarms: another enterprise's alarm does not exist for it, neither to read nor to act on", async () => {
      const id = await raise(LEVEL, T0)
      const edge = await raise('edge:shilian-01', T0 + 1, 'OFFLINE')
      expect((await repos.getAlarm(id, SHILIAN))?.enterprise).toBe('shilian')
      expect(await repos.getAlarm(id, FUQIANG)).toBeNull()
      expect(await repos.alarmTimeline(id, FUQIANG)).toBeNull()
      expect(await repos.actOnAlarm(id, { type: 'ack', by: 'x' }, T0 + 2, FUQIANG)).toMatchObject({
        ok: false,
        code: 'NOT_FOUND',
      })
      const shelve = { type: 'shelve' as const, by: 'x', reason: 'x', until: T0 + 60_000 }
      expect(await repos.overlayAlarm(id, shelve, T0 + 2, FUQIANG)).toMatchObject({ ok: false, code: 'NOT_FOUND' })
      expect((await repos.getAlarm(id, 'all'))?.disposal).toEqual({
        ack: null,
        triage: null,
        feedback: null,
        closed: null,
      })
      // An edge's alarm has no enterprise: only the park sees it.
      expect((await repos.listAlarms({ scope: SHILIAN, state: 'all', limit: 10 })).map((a) => a.id)).toEqual([id])
      expect(await repos.listAlarms({ scope: FUQIANG, state: 'all', limit: 10 })).toEqual([])
      expect(await repos.getAlarm(edge, SHILIAN)).toBeNull()
      expect(await repos.actOnAlarm(404, { type: 'ack', by: 'x' }, T0, 'all')).toMatchObject({ code: 'NOT_FOUND' })
      expect(await repos.alarmTimeline(404, 'all')).toBeNull()
    })

    test('alarms: listed newest first, filtered by point, kind, priority, enterprise, text (ASCII case ignored, wildcards literal) and time', async () => {
      const level = await raise(LEVEL, T0)
      const pressure = await raise(PRESSURE, T0 + 10)
      const edge = await raise('edge:shilian-01', T0 + 20, 'OFFLINE')
      const ids = async (f: Partial<Parameters<AlarmRepo['listAlarms']>[0]>) =>
        (await repos.listAlarms({ scope: 'all', state: 'all', limit: 10, ...f })).map((a) => a.id)
      expect(await ids({})).toEqual([edge, pressure, level])
      expect(await ids({ limit: 1, offset: 1 })).toEqual([pressure])
      expect(await ids({ point: LEVEL })).toEqual([level])
      expect(await ids({ kind: 'OFFLINE' })).toEqual([edge])
      expect(await ids({ priority: 'A' })).toEqual([])
      expect(await ids({ enterprise: 'fuqiang' })).toEqual([pressure])
      expect(await ids({ text: 'TK101' })).toEqual([level])
      expect(await ids({ text: '液氯储罐' })).toEqual([pressure])
      expect(await ids({ text: '%' })).toEqual([])
      expect(await ids({ text: 'shilian_' })).toEqual([])
      expect(await ids({ raisedFrom: T0 + 10, raisedTo: T0 + 20 })).toEqual([pressure])
      await repos.recoverSystemAlarm(PRESSURE, 'STALE', T0 + 30, 0)
      expect(await ids({ state: 'active' })).toEqual([edge, level])
      const [one] = await repos.listAlarms({ scope: 'all', state: 'all', point: LEVEL, limit: 1 })
      expect(one).toMatchObject({ pointName: '液氨储罐TK-101液位', enterprise: 'shilian', priority: 'B' })
    })

    test('alarms: a system note changes the facts it names and joins the timeline, which only ever grows', async () => {
      const id = await raise(LEVEL, T0)
      await repos.actOnAlarm(id, { type: 'ack', by: 'op' }, T0 + 1, 'all')
      const before = await repos.alarmTimeline(id, 'all')
      const facts = { ...(await repos.getAlarm(id, 'all'))!.disposal, overdueAt: T0 + 600_000 }
      const entry = { at: T0 + 600_000, actor: 'system', action: 'overdue' as const, detail: { dueAt: T0 + 600_000 } }
      await repos.noteAlarm(id, entry, facts)
      expect((await repos.getAlarm(id, 'all'))?.disposal).toMatchObject({ ack: { by: 'op' }, overdueAt: T0 + 600_000 })
      const after = await repos.alarmTimeline(id, 'all')
      expect(after!.slice(0, before!.length)).toEqual(before)
      expect(after!.at(-1)).toEqual(entry)
      expect(told.at(-1)).toEqual({ alarm: id, action: 'overdue', at: T0 + 600_000 })
      // A refused step appends nothing.
      await repos.actOnAlarm(id, { type: 'ack', by: 'op' }, T0 + 2, 'all')
      expect(await repos.alarmTimeline(id, 'all')).toEqual(after)
    })

    test('alarms: changes read back from the timeline in order, paged, scoped and skipping what the stream does not carry', async () => {
      const level = await raise(LEVEL, T0)
      const pressure = await raise(PRESSURE, T0 + 1)
      await repos.actOnAlarm(level, { type: 'ack', by: 'op' }, T0 + 2, 'all')
      await repos.noteAlarm(
        level,
        { at: T0 + 3, actor: 'system', action: 'recontact_due', detail: {} },
        {
          ...(await repos.getAlarm(level, 'all'))!.disposal,
          recontacts: 1,
        },
      )
      await repos.recoverSystemAlarm(PRESSURE, 'STALE', T0 + 4, 0)
      const every = await repos.alarmChangesSince(0, 'all', 100, [])
      expect(every.map((c) => c.change)).toEqual(told)
      expect(every.map((c) => c.id)).toEqual([...every.map((c) => c.id)].sort((a, b) => a - b))
      const first = await repos.alarmChangesSince(0, 'all', 2, [])
      const rest = await repos.alarmChangesSince(first.at(-1)!.id, 'all', 100, [])
      expect([...first, ...rest]).toEqual(every)
      expect((await repos.alarmChangesSince(0, FUQIANG, 100, [])).map((c) => c.change)).toEqual([
        { alarm: pressure, action: 'raise', at: T0 + 1 },
        { alarm: pressure, action: 'recover', at: T0 + 4 },
      ])
      expect(
        (await repos.alarmChangesSince(0, 'all', 100, ['recontact_due', 'raise'])).map((c) => c.change.action),
      ).toEqual(['ack', 'recover'])
      expect(await repos.alarmChangeEntry({ alarm: level, action: 'ack', at: T0 + 2 })).toBe(every[2]!.id)
      expect(await repos.alarmChangeEntry({ alarm: level, action: 'ack', at: T0 + 9 })).toBeNull()
      expect(await repos.alarmChangesSince(every.at(-1)!.id, 'all', 100, [])).toEqual([])
    })

    test('alarms: two people acting on one alarm at once: exactly one succeeds, the other is refused on its result', async () => {
      const ids = [await raise(LEVEL, T0), await raise(PRESSURE, T0), await raise('edge:park-01', T0, 'OFFLINE')]
      for (const id of ids) {
        const outcomes = await Promise.all([
          repos.actOnAlarm(id, { type: 'ack', by: 'a' }, T0 + 1, 'all'),
          repos.actOnAlarm(id, { type: 'ack', by: 'b' }, T0 + 1, 'all'),
        ])
        expect(outcomes.map((o) => o.ok).sort()).toEqual([false, true])
        expect(outcomes.find((o) => !o.ok)).toMatchObject({ code: 'ALARM_STATE_CONFLICT' })
        const oos = (by: string) => ({ type: 'remove_from_service' as const, by, reason: 'repair' })
        const overlays = await Promise.all([
          repos.overlayAlarm(id, oos('a'), T0 + 2, 'all'),
          repos.overlayAlarm(id, oos('b'), T0 + 2, 'all'),
        ])
        expect(overlays.map((o) => o.ok).sort()).toEqual([false, true])
        expect(await actions(id)).toEqual(['raise', 'ack', 'remove_from_service'])
      }
    })
  })
}
