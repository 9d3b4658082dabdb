import { afterEach, beforeEach, describe, expect } from 'vitest'
import type { ReportStore, StoredReport } from '../../../cloud/store/report-store.ts'
import type { AlarmRepo } from '../../../cloud/store/repos/alarms.ts'
import type { RegistryRepo } from '../../../cloud/store/repos/registry.ts'
import { systemAlarm } from './alarms.suite.ts'
import { LEVEL, PRESSURE, registry, type RepoHandle, sectionTest, type SectionOptions, T0 } from './fixtures.ts'

/** What the reports section needs: the ReportStore, and alarms made through AlarmRepo on an applied registry. */
export type ReportRepos = AlarmRepo & RegistryRepo & { reports: ReportStore }

const HOUR = 3_600_000

const report = (more: Partial<Omit<StoredReport, 'id'>> = {}): Omit<StoredReport, 'id'> => ({
  name: 'daily',
  kind: 'alarm_summary',
  title: '每日报警汇总',
  from: T0,
  to: T0 + 24 * HOUR,
  params: { timeZone: 'Asia/Shanghai', enterprises: ['shilian'], note: '' },
  files: [{ format: 'pdf', file: 'daily/2025-01-31.pdf', bytes: 1234, sha256: 'ab'.repeat(32) }],
  empty: false,
  trigger: 'schedule',
  requestedBy: 'system',
  generatedAt: T0 + 25 * HOUR,
  durationMs: 850,
  ...more,
})

/** ReportStore (cloud/store/report-store.ts) as executable tests. */
export function runReportTests(options: SectionOptions<ReportRepos>): void {
  const test = sectionTest(options.skip)
  describe(`Store conformance: ${options.name} — reports`, () => {
    let handle: RepoHandle<ReportRepos>
    let repos: ReportRepos
    beforeEach(async () => {
      handle = await options.newRepos({})
      repos = handle.repos
      await repos.applyRegistry(registry)
    })
    afterEach(() => handle.dispose())

    test('reports: saved with every field, listed newest first by name and overlap, found by exact period', async () => {
      const first = await repos.reports.save(report())
      const again = await repos.reports.save(
        report({ trigger: 'manual', requestedBy: 'op', generatedAt: T0 + 26 * HOUR }),
      )
      const weekly = await repos.reports.save(
        report({ name: 'weekly', from: T0 - 6 * 24 * HOUR, empty: true, files: [], generatedAt: T0 + 25 * HOUR }),
      )
      expect(first.id).not.toBe(again.id)
      expect(await repos.reports.get(first.id)).toEqual(first)
      expect(await repos.reports.get(weekly.id)).toEqual(weekly)
      expect(await repos.reports.get(9999)).toBeNull()
      const ids = async (f: Parameters<ReportStore['list']>[0]) => (await repos.reports.list(f)).map((r) => r.id)
      // Same generation time: the later id first.
      expect(await ids({ limit: 10 })).toEqual([again.id, weekly.id, first.id])
      expect(await ids({ limit: 1 })).toEqual([again.id])
      expect(await ids({ name: 'daily', limit: 10 })).toEqual([again.id, first.id])
      // Overlap with [from, to): ends are exclusive.
      expect(await ids({ from: T0 + 24 * HOUR, limit: 10 })).toEqual([])
      expect(await ids({ to: T0 - 6 * 24 * HOUR, limit: 10 })).toEqual([])
      expect(await ids({ from: T0 - 2 * 24 * HOUR, to: T0, limit: 10 })).toEqual([weekly.id])
      expect(await repos.reports.find('daily', { from: T0, to: T0 + 24 * HOUR })).toEqual(again)
      expect(await repos.reports.find('daily', { from: T0, to: T0 + 23 * HOUR })).toBeNull()
      expect(await repos.reports.find('monthly', { from: T0, to: T0 + 24 * HOUR })).toBeNull()
    })

    test('reports: the enterprises with their registered points, by id', async () => {
      expect(await repos.reports.enterprises()).toEqual([
        { id: 'fuqiang', name: '富强新材料', points: 1 },
        { id: 'shilian', name: '实联化工', points: 1 },
      ])
    })

    test('reports: alarms raised in a range, open at a handover, and comm-loss episodes overlapping a range', async () => {
      await repos.raiseSystemAlarm(systemAlarm(LEVEL, 'STALE', T0))
      await repos.raiseSystemAlarm(systemAlarm('edge:shilian-01', 'OFFLINE', T0 + 10))
      await repos.raiseSystemAlarm(systemAlarm('edge:shilian-01', 'CLOCK', T0 + 20))
      await repos.raiseSystemAlarm(systemAlarm(PRESSURE, 'STALE', T0 + 30))
      const id = async (point: string, kind: string) =>
        (await repos.listAlarms({ scope: 'all', state: 'all', point, limit: 10 })).find((a) => a.kind === kind)!.id
      const [level, offline, clock, pressure] = [
        await id(LEVEL, 'STALE'),
        await id('edge:shilian-01', 'OFFLINE'),
        await id('edge:shilian-01', 'CLOCK'),
        await id(PRESSURE, 'STALE'),
      ]
      await repos.recoverSystemAlarm(LEVEL, 'STALE', T0 + 5, 5)
      // LEVEL's alarm closed by a person at T0 + 50.
      await repos.actOnAlarm(level, { type: 'triage', by: 'op', verdict: 'false' }, T0 + 40, 'all')
      await repos.actOnAlarm(level, { type: 'close', by: 'op' }, T0 + 50, 'all')
      const ids = (list: ReadonlyArray<{ id: number }>) => list.map((a) => a.id)

      expect(ids(await repos.reports.alarmsRaised({ from: T0, to: T0 + 30 }))).toEqual([level, offline, clock])
      expect(ids(await repos.reports.alarmsRaised({ from: T0 + 10, to: T0 + 31 }))).toEqual([offline, clock, pressure])
      const [first] = await repos.reports.alarmsRaised({ from: T0, to: T0 + 1 })
      expect(first).toMatchObject({
        point: LEVEL,
        pointName: '液氨储罐TK-101液位',
        enterprise: 'shilian',
        kind: 'STALE',
        state: 'recovered',
        recoveredAt: T0 + 5,
        closedAt: T0 + 50,
        disposal: { triage: { verdict: 'false' }, closed: { by: 'op', at: T0 + 50 } },
      })

      // At a handover: raised before it, not yet closed by a person at it.
      expect(ids(await repos.reports.alarmsOpenAt(T0 + 25))).toEqual([level, offline, clock])
      expect(ids(await repos.reports.alarmsOpenAt(T0 + 49))).toEqual([level, offline, clock, pressure])
      expect(ids(await repos.reports.alarmsOpenAt(T0 + 50))).toEqual([offline, clock, pressure])

      // STALE and OFFLINE only (not CLOCK), overlapping [from, to).
      expect(ids(await repos.reports.offlineEpisodes({ from: T0, to: T0 + 100 }))).toEqual([level, offline, pressure])
      expect(ids(await repos.reports.offlineEpisodes({ from: T0 + 5, to: T0 + 30 }))).toEqual([offline])
      expect(ids(await repos.reports.offlineEpisodes({ from: T0 + 4, to: T0 + 10 }))).toEqual([level])
    })
  })
}
