import { afterEach, beforeEach, describe, expect } from 'vitest'
import type { AlarmChange, Store } from '../../../cloud/store/store.ts'
import { ErrorCodes } from '../../../shared/errors.ts'
import {
  boundRegistry,
  EDGE,
  LEVEL,
  PRESSURE,
  registry,
  rejection,
  type RepoHandle,
  sectionTest,
  type SectionOptions,
  T0,
} from './fixtures.ts'

/** What the registry section needs: the registry API (RegistryStore), RegistryRepo, and the audit log its security events write. */
export type RegistryRepos = Pick<
  Store,
  'registry' | 'auth' | 'applyRegistry' | 'ownershipFacts' | 'recordSecurityEvent'
>

const code = (c: string) => expect.objectContaining({ code: c })

/** RegistryStore (cloud/store/registry-store.ts) and RegistryRepo (cloud/store/repos/registry.ts) as executable tests. */
export function runRegistryTests(options: SectionOptions<RegistryRepos>): void {
  const test = sectionTest(options.skip)
  describe(`Store conformance: ${options.name} — registry`, () => {
    let handle: RepoHandle<RegistryRepos>
    let repos: RegistryRepos
    let told: AlarmChange[]
    beforeEach(async () => {
      told = []
      handle = await options.newRepos({ onAlarmChange: (c) => told.push(c) })
      repos = handle.repos
    })
    afterEach(() => handle.dispose())
    const ids = (list: ReadonlyArray<{ id: string }>) => list.map((e) => e.id)

    test('registry: applied from config and read by scope; the file seeds, entries edited through the API stay', async () => {
      expect(await repos.applyRegistry(registry)).toEqual({ points: 2, enterprises: 2, unregistered: 0 })
      const { registry: api } = repos
      expect(ids(await api.listPoints({ enterprise: 'shilian' }))).toEqual([LEVEL])
      expect(await api.getPoint(PRESSURE, { enterprise: 'shilian' })).toBeNull()
      expect(await api.getPoint(LEVEL, 'all')).toMatchObject({
        enterprise: 'shilian',
        unit: 'm',
        h: 9.5,
        hh: 10.5,
        l: 2,
        ll: 1,
      })
      expect(ids(await api.list('enterprises', { enterprise: 'fuqiang' }))).toEqual(['fuqiang'])
      await api.update('enterprises', 'shilian', { name: '实联化工（改）' })
      // The file renames shilian and drops fuqiang and its point: the API's edit wins, the rest follows the file.
      const next = {
        ...registry,
        enterprises: [{ id: 'shilian', name: 'from the file' }],
        points: registry.points.filter((p) => p.id === LEVEL),
      }
      expect(await repos.applyRegistry(next)).toEqual({ points: 1, enterprises: 1, unregistered: 1 })
      expect(await api.list('enterprises', 'all')).toEqual([{ id: 'shilian', name: '实联化工（改）' }])
      expect(ids(await api.listPoints('all'))).toEqual([LEVEL])
      expect(await repos.applyRegistry(next)).toEqual({ points: 1, enterprises: 1, unregistered: 0 })
    })

    test('registry: CRUD through the API: a taken id is a conflict, an update reports before and after, a removal is refused while used', async () => {
      await repos.applyRegistry(registry)
      const { registry: api } = repos
      const hs = { id: 'hs-1', enterprise: 'shilian', name: '液氨罐区', level: 1, x: 10, y: 20 }
      expect(await rejection(api.create('hazardSources', { ...hs, enterprise: 'nope' }))).toEqual(
        code(ErrorCodes.BAD_REQUEST),
      )
      expect(await api.create('hazardSources', hs)).toEqual(hs)
      expect(await rejection(api.create('hazardSources', hs))).toEqual(code(ErrorCodes.STATE_CONFLICT))
      expect(await api.update('hazardSources', 'hs-1', { name: '罐区' })).toEqual({
        before: hs,
        after: { ...hs, name: '罐区' },
      })
      expect(await api.update('hazardSources', 'nope', { name: 'x' })).toBeNull()
      expect(await api.list('hazardSources', { enterprise: 'fuqiang' })).toEqual([])
      await api.patchPoint(LEVEL, { hazardSource: 'hs-1' })
      expect(await rejection(api.remove('hazardSources', 'hs-1'))).toEqual(code(ErrorCodes.STATE_CONFLICT))
      expect(await rejection(api.remove('enterprises', 'shilian'))).toEqual(code(ErrorCodes.STATE_CONFLICT))
      const area = { id: 'area-1', enterprise: 'fuqiang', name: '氯气库', kind: null }
      await api.create('areas', area)
      expect(await api.remove('areas', 'area-1')).toEqual({ before: area, after: null })
      expect(await api.remove('areas', 'area-1')).toBeNull()
      await api.create('edges', { id: 'fq-01', site: 'huaian', enterprise: 'fuqiang', claim: 'strict' })
      expect(await api.list('edges', { enterprise: 'fuqiang' })).toEqual([
        { id: 'fq-01', site: 'huaian', enterprise: 'fuqiang', claim: 'strict' },
      ])
    })

    test('registry: points: thresholds become limits, references are checked, an import is all or nothing and a dry run writes nothing', async () => {
      await repos.applyRegistry(registry)
      const { registry: api } = repos
      const change = await api.patchPoint(LEVEL, { h: 9, hh: 10 })
      expect(change?.before).toMatchObject({ h: 9.5, hh: 10.5 })
      expect(change?.after).toMatchObject({ h: 9, hh: 10, l: 2, ll: 1 })
      expect(await rejection(api.patchPoint(LEVEL, { area: 'nope' }))).toEqual(code(ErrorCodes.BAD_REQUEST))
      expect(await rejection(api.patchPoint(LEVEL, { h: 11, hh: 10 }))).toEqual(code(ErrorCodes.BAD_REQUEST))
      expect(await api.patchPoint('no.such', { name: 'x' })).toBeNull()
      const created = {
        id: 'shilian.t1.temp',
        name: '反应釜温度',
        enterprise: 'shilian',
        class: 'mhs' as const,
        unit: '℃',
        h: 80,
      }
      const dry = await api.importPoints([created], { dryRun: true })
      expect(dry).toMatchObject([{ id: created.id, before: null, after: { h: 80, unit: '℃' } }])
      expect(await api.getPoint(created.id, 'all')).toBeNull()
      const broken = { ...created, id: 'shilian.t2.temp', enterprise: 'nope' }
      expect(await rejection(api.importPoints([created, broken], { dryRun: false }))).toEqual(
        code(ErrorCodes.BAD_REQUEST),
      )
      expect(await api.getPoint(created.id, 'all')).toBeNull()
      expect(await api.importPoints([created], { dryRun: false })).toHaveLength(1)
      expect(await api.importPoints([created], { dryRun: false })).toEqual([])
      expect(await api.unregisterPoint(PRESSURE)).toMatchObject({ before: { id: PRESSURE }, after: null })
      expect(ids(await api.listPoints('all'))).toEqual([created.id, LEVEL])
      expect(await api.unregisterPoint('no.such')).toBeNull()
    })

    test('registry: ownership facts: the edge binding and the edge each point is bound to; a move across enterprises is refused', async () => {
      await repos.applyRegistry(boundRegistry)
      const facts = await repos.ownershipFacts(EDGE, [LEVEL, PRESSURE, 'no.such'], ['cam-x'])
      expect(facts.edge).toEqual({ id: EDGE, site: 'huaian', enterprise: 'shilian', claim: null })
      expect([...facts.points]).toEqual(
        expect.arrayContaining([
          [LEVEL, { edge: EDGE, enterprise: 'shilian' }],
          [PRESSURE, { edge: null, enterprise: 'fuqiang' }],
        ]),
      )
      expect(facts.points.size).toBe(2)
      expect(facts.cameras.size).toBe(0)
      expect((await repos.ownershipFacts('rogue-01', [], [])).edge).toBeNull()
      const { registry: api } = repos
      expect(await rejection(api.movePoint(PRESSURE, EDGE))).toEqual(code(ErrorCodes.STATE_CONFLICT))
      expect(await api.movePoint(PRESSURE, 'park-01')).toEqual({
        before: { id: PRESSURE, edge: null },
        after: { id: PRESSURE, edge: 'park-01' },
      })
      expect((await repos.ownershipFacts('park-01', [PRESSURE], [])).points.get(PRESSURE)?.edge).toBe('park-01')
      expect(await api.movePoint('no.such', EDGE)).toBeNull()
      expect(await api.moveCamera('no.cam', EDGE)).toBeNull()
      expect(await api.placeCamera('no.cam', { x: 1, y: 2 })).toBeNull()
      // Many ids are read in chunks, none lost.
      const many = Array.from({ length: 1_200 }, (_, i) => `unknown.${i}`)
      expect((await repos.ownershipFacts(EDGE, [...many, LEVEL], [])).points.size).toBe(1)
    })

    test('registry: security events: one SECURITY alarm per edge until closed, later refusals join it, each audited in the chain, told after commit', async () => {
      await repos.applyRegistry(boundRegistry)
      const event = {
        edge: 'rogue-01',
        reason: 'not_owned',
        code: 'PL_NOT_OWNED',
        items: [LEVEL],
        at: T0,
        priority: 'A' as const,
      }
      const first = await repos.recordSecurityEvent(event)
      expect(first.raised).toBe(true)
      expect(told).toEqual([
        { alarm: first.alarm, action: 'raise', at: T0 },
        { alarm: first.alarm, action: 'recover', at: T0 },
      ])
      expect(await repos.recordSecurityEvent({ ...event, at: T0 + 1 })).toEqual({ alarm: first.alarm, raised: false })
      expect(told).toHaveLength(2)
      const other = await repos.recordSecurityEvent({ ...event, edge: 'rogue-02' })
      expect(other.raised).toBe(true)
      expect(other.alarm).not.toBe(first.alarm)
      // Parallel refusals of one edge: one alarm, raised once.
      const burst = await Promise.all(
        Array.from({ length: 12 }, (_, i) => repos.recordSecurityEvent({ ...event, edge: 'rogue-03', at: T0 + i })),
      )
      expect(burst.filter((r) => r.raised)).toHaveLength(1)
      expect(new Set(burst.map((r) => r.alarm)).size).toBe(1)
      const audited = await repos.auth.queryAudit({ action: 'ingest_refused', limit: 50 })
      expect(audited).toHaveLength(15)
      expect(audited.at(-1)).toMatchObject({
        actor: 'edge:rogue-01',
        target: 'edge:rogue-01',
        outcome: 'refused',
        detail: { reason: 'not_owned', code: 'PL_NOT_OWNED', items: [LEVEL], alarm: first.alarm },
      })
      expect(await handle.verifyAuditChain()).toMatchObject({ ok: true, rows: 15 })
    })
  })
}
