import { afterEach, beforeEach, describe, expect } from 'vitest'
import type { EdgeRepo } from '../../../cloud/store/repos/edges.ts'
import type { Store } from '../../../cloud/store/store.ts'
import type { PointInfo, StatusBirth, StatusDeath, StatusState } from '../../../shared/wire/messages.ts'
import { boundRegistry, EDGE, LEVEL, type RepoHandle, sectionTest, type SectionOptions, T0 } from './fixtures.ts'

/** What the edges section needs: EdgeRepo, and the registry it reads a birth's effect through. */
export type EdgeRepos = EdgeRepo & Pick<Store, 'applyRegistry' | 'registry' | 'ownershipFacts'>

const OUTBOX = { samples: 0, batches: 0, bytes: 0, oldestTs: null, evicted: 0 }
const birth = (session: string, points: PointInfo[] = [], more: Partial<StatusBirth> = {}): StatusBirth => ({
  v: 1,
  kind: 'birth',
  edge: EDGE,
  site: 'huaian',
  session,
  ts: T0,
  configHash: 'cfg-1',
  points,
  outbox: OUTBOX,
  outboxId: 'outbox-1a2b3c4d',
  ...more,
})
const state = (session: string, more: Partial<StatusState> = {}): StatusState => ({
  v: 1,
  kind: 'state',
  edge: EDGE,
  session,
  ts: T0,
  outbox: { ...OUTBOX, samples: 7 },
  drivers: [{ device: 'plc-1', kind: 'modbus', state: 'connected', since: T0, lastError: null }],
  ...more,
})
const death = (session: string): StatusDeath => ({ v: 1, kind: 'death', edge: EDGE, session })

/** LEVEL takes its limits from the source (brief §2), with the registry's deadband. */
const fromSource = {
  ...boundRegistry,
  points: boundRegistry.points.map((p) => (p.id === LEVEL ? { ...p, limitsFromSource: true } : p)),
}

/** EdgeRepo (cloud/store/repos/edges.ts) as executable tests. */
export function runEdgeTests(options: SectionOptions<EdgeRepos>): void {
  const test = sectionTest(options.skip)
  describe(`Store conformance: ${options.name} — edges`, () => {
    let handle: RepoHandle<EdgeRepos>
    let repos: EdgeRepos
    beforeEach(async () => {
      handle = await options.newRepos({})
      repos = handle.repos
    })
    afterEach(() => handle.dispose())
    const edge = async (id = EDGE) => (await repos.listEdges()).find((e) => e.id === id)

    test('edges: a birth puts the edge online with its session, outbox report, config hash and live view', async () => {
      expect(await repos.listEdges()).toEqual([])
      await repos.recordBirth('huaian', birth('s-1', [], { live: { url: 'ws://10.20.0.5:8091' } }), T0 + 10)
      expect(await edge()).toEqual({
        id: EDGE,
        site: 'huaian',
        session: 's-1',
        online: true,
        lastSeen: T0 + 10,
        ackedThrough: 0,
        outboxId: null,
        outbox: OUTBOX,
        configHash: 'cfg-1',
        drivers: [],
        clockOffsetMs: null,
        clockCheckedAt: null,
        liveUrl: 'ws://10.20.0.5:8091',
      })
      // Each birth says it again: no live view announced, none kept.
      await repos.recordBirth('huaian', birth('s-2', [], { configHash: 'cfg-2' }), T0 + 20)
      expect(await edge()).toMatchObject({ session: 's-2', configHash: 'cfg-2', liveUrl: null })
    })

    test('edges: listed by id in byte order', async () => {
      for (const id of ['b-02', 'B-01', 'a-03', '10-x'])
        await repos.recordBirth('huaian', birth('s-1', [], { edge: id }), T0)
      expect((await repos.listEdges()).map((e) => e.id)).toEqual(['10-x', 'B-01', 'a-03', 'b-02'])
    })

    test('edges: a heartbeat adopts a session whose birth was missed; drivers are kept within a session, not across', async () => {
      expect(await repos.recordState('huaian', state('s-0'), T0)).toEqual({ adopted: true, ignored: false })
      await repos.recordBirth('huaian', birth('s-1'), T0 + 1)
      expect(await repos.recordState('huaian', state('s-1'), T0 + 2)).toEqual({ adopted: false, ignored: false })
      expect(await edge()).toMatchObject({
        session: 's-1',
        online: true,
        outbox: { samples: 7 },
        drivers: [{ device: 'plc-1' }],
      })
      await repos.recordBirth('huaian', birth('s-1'), T0 + 3)
      expect((await edge())?.drivers).toHaveLength(1)
      await repos.recordBirth('huaian', birth('s-2'), T0 + 4)
      expect((await edge())?.drivers).toEqual([])
      expect(await repos.recordState('huaian', state('s-3'), T0 + 5)).toEqual({ adopted: true, ignored: false })
      expect((await edge())?.session).toBe('s-3')
    })

    test('edges: a death applies only to the stored session; a straggling heartbeat of a dead session does not revive it', async () => {
      expect(await repos.recordDeath(death('s-1'), T0)).toEqual({ applied: false, storedSession: null })
      await repos.recordBirth('huaian', birth('s-2'), T0)
      expect(await repos.recordDeath(death('s-1'), T0 + 1)).toEqual({ applied: false, storedSession: 's-2' })
      expect((await edge())?.online).toBe(true)
      expect(await repos.recordDeath(death('s-2'), T0 + 2)).toEqual({ applied: true, storedSession: 's-2' })
      expect(await edge()).toMatchObject({ online: false, lastSeen: T0 + 2 })
      expect(await repos.recordState('huaian', state('s-2'), T0 + 3)).toEqual({ adopted: false, ignored: true })
      expect(await edge()).toMatchObject({ online: false, lastSeen: T0 + 2 })
      // The broker's last will carries no time: presence changes, last seen stays.
      await repos.recordBirth('huaian', birth('s-3'), T0 + 4)
      await repos.recordDeath(death('s-3'), null)
      expect(await edge()).toMatchObject({ online: false, lastSeen: T0 + 4 })
    })

    test('edges: last seen never moves backwards (a retained replay carries an old time)', async () => {
      await repos.recordBirth('huaian', birth('s-1'), T0 + 100)
      await repos.recordBirth('huaian', birth('s-1'), T0 + 50)
      await repos.recordState('huaian', state('s-1'), T0 + 60)
      expect((await edge())?.lastSeen).toBe(T0 + 100)
      await repos.recordState('huaian', state('s-1'), T0 + 200)
      await repos.recordDeath(death('s-1'), T0 + 150)
      expect(await edge()).toMatchObject({ lastSeen: T0 + 200, online: false })
    })

    test('edges: the clock offset is recorded for a known edge', async () => {
      await repos.recordClockOffset(EDGE, 1500, T0)
      expect(await repos.listEdges()).toEqual([])
      await repos.recordBirth('huaian', birth('s-1'), T0)
      await repos.recordClockOffset(EDGE, -250, T0 + 5)
      expect(await edge()).toMatchObject({ clockOffsetMs: -250, clockCheckedAt: T0 + 5 })
    })

    test("edges: a birth claims unbound points and cameras, never another edge's, and leaves registered names alone", async () => {
      await repos.applyRegistry({ ...boundRegistry, claimUnknownPoints: 'open' })
      const camera = { area: 'tank-farm', host: '10.0.0.9', port: 80, name: '罐区1号' }
      await repos.recordBirth(
        'huaian',
        birth('s-1', [
          { id: LEVEL, name: 'renamed by the edge', unit: 'cm' },
          { id: 'shilian.tk101.temp', name: 'temp', unit: '°C' },
          { id: 'cam-01.motion', device: 'cam-01', camera },
        ]),
        T0,
      )
      const facts = await repos.ownershipFacts(EDGE, [LEVEL, 'shilian.tk101.temp'], ['cam-01'])
      expect(facts.points.get('shilian.tk101.temp')?.edge).toBe(EDGE)
      expect(facts.cameras.get('cam-01')?.edge).toBe(EDGE)
      expect(await repos.registry.getPoint(LEVEL, 'all')).toMatchObject({ name: '液氨储罐TK-101液位', unit: 'm' })
      await repos.recordBirth(
        'huaian',
        birth('r-1', [{ id: 'shilian.tk101.temp' }, { id: 'cam-01.motion', device: 'cam-01', camera }], {
          edge: 'rogue-01',
        }),
        T0 + 1,
      )
      const after = await repos.ownershipFacts('rogue-01', ['shilian.tk101.temp'], ['cam-01'])
      expect(after.points.get('shilian.tk101.temp')?.edge).toBe(EDGE)
      expect(after.cameras.get('cam-01')?.edge).toBe(EDGE)
    })

    test("edges: a birth adopts the source's limits for limitsFromSource points (a change once), and refuses an inconsistent set", async () => {
      await repos.applyRegistry(fromSource)
      const announced = { hh: 11, h: 10, l: 2, ll: 1 }
      const first = await repos.recordBirth('huaian', birth('s-1', [{ id: LEVEL, limits: announced }]), T0)
      expect(first).toEqual({
        limitsAdopted: [
          {
            point: LEVEL,
            // A limitsFromSource point keeps only the registry's deadband until the source speaks.
            from: { deadband: 0.1 },
            to: { ...announced, deadband: 0.1 },
          },
        ],
        limitsRefused: [],
      })
      expect(await repos.registry.getPoint(LEVEL, 'all')).toMatchObject({ hh: 11, h: 10 })
      expect(await repos.recordBirth('huaian', birth('s-2', [{ id: LEVEL, limits: announced }]), T0 + 1)).toEqual({
        limitsAdopted: [],
        limitsRefused: [],
      })
      const bad = await repos.recordBirth('huaian', birth('s-3', [{ id: LEVEL, limits: { hh: 1, h: 10 } }]), T0 + 2)
      expect(bad.limitsAdopted).toEqual([])
      expect(bad.limitsRefused).toEqual([{ point: LEVEL, problem: expect.any(String) }])
      expect(await repos.registry.getPoint(LEVEL, 'all')).toMatchObject({ hh: 11, h: 10 })
      // Another edge announcing the point changes nothing of it.
      expect(
        await repos.recordBirth(
          'huaian',
          birth('r-1', [{ id: LEVEL, limits: { hh: 20, h: 19 } }], { edge: 'rogue-01' }),
          T0 + 3,
        ),
      ).toEqual({ limitsAdopted: [], limitsRefused: [] })
    })
  })
}
