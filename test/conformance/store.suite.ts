import { createHash } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ChainVerdict } from '../../cloud/store/audit-chain.ts'
import type { AlarmChange, Store } from '../../cloud/store/store.ts'
import type { CameraEvent } from '../../shared/wire/camera.ts'
import { runAlarmTests } from './store/alarms.suite.ts'
import { runAuthTests } from './store/auth.suite.ts'
import { runBundleTests } from './store/bundles.suite.ts'
import { runCameraTests } from './store/cameras.suite.ts'
import { runDeliveryTests } from './store/deliveries.suite.ts'
import { runEdgeTests } from './store/edges.suite.ts'
import { runGapTests } from './store/gaps.suite.ts'
import { runGasWarningTests } from './store/gas-warnings.suite.ts'
import { type BatchKey, runOutboxTests } from './store/outboxes.suite.ts'
import {
  batch,
  EDGE,
  good,
  LEVEL,
  PRESSURE,
  type RepoFactoryOptions,
  registry,
  type SeedAlarm,
  T0,
} from './store/fixtures.ts'
import { runRegistryTests } from './store/registry.suite.ts'
import { runReportTests } from './store/reports.suite.ts'
import { runWindowTests } from './store/windows.suite.ts'
import { runTelemetryTests } from './store/telemetry.suite.ts'

/**
 * The Store contract (cloud/store/store.ts, one repository per aggregate in cloud/store/repos)
 * as executable tests, run against every engine. Sections typed on just the repositories they
 * need live in test/conformance/store/*.suite.ts (auth, registry, gaps, edges, bundles, outboxes,
 * alarms, reports, cameras, windows, deliveries, gas warnings, …), so an engine runs a section
 * as soon as it has those repositories; `runStoreTests({ newStore })` runs every section plus the
 * tests that cross aggregates (ingest, alarms, windows, cameras, deliveries) on a whole
 * Store. `newStore(options)` opens an empty store of its own (the suite applies the registry);
 * `dispose` closes it and removes what it made. `skip` lists test names an engine opts out of
 * (say why where it is called).
 */
export type StoreFactoryOptions = RepoFactoryOptions

export interface StoreHandle {
  store: Store
  /** Flips a byte in a point's sealed chunk of the hour starting at `hour` (the telemetry section's disk damage). */
  damageChunk(point: string, hour: number): Promise<void>
  /** The engine's own walk along the audit hash chain. */
  verifyAuditChain(): Promise<ChainVerdict>
  /** An alarm and its planned pushes written by the engine's own alarm writes and push outbox. */
  seedAlarm: SeedAlarm
  dispose(): Promise<void>
}

export interface StoreConformanceOptions {
  name: string
  newStore: (options: StoreFactoryOptions) => Promise<StoreHandle>
  skip?: string[]
}

const meta = { site: 'huaian', receivedAt: T0 }
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`

export function runStoreTests(options: StoreConformanceOptions): void {
  // The sections, each on a whole Store of its own (no registry applied: a section applies its own).
  const newRepos = async (o: RepoFactoryOptions) => {
    const h = await options.newStore(o)
    return {
      repos: h.store,
      verifyAuditChain: () => h.verifyAuditChain(),
      seedAlarm: h.seedAlarm,
      dispose: () => h.dispose(),
    }
  }
  runAuthTests({ name: options.name, newRepos, skip: options.skip })
  runRegistryTests({ name: options.name, newRepos, skip: options.skip })
  runGapTests({ name: options.name, newRepos, skip: options.skip })
  runEdgeTests({ name: options.name, newRepos, skip: options.skip })
  runBundleTests({ name: options.name, newRepos, skip: options.skip })
  runAlarmTests({ name: options.name, newRepos, skip: options.skip })
  runReportTests({ name: options.name, newRepos, skip: options.skip })
  runWindowTests({ name: options.name, newRepos, skip: options.skip })
  runDeliveryTests({ name: options.name, newRepos, skip: options.skip })
  runGasWarningTests({ name: options.name, newRepos, skip: options.skip })
  runTelemetryTests({
    name: options.name,
    skip: options.skip,
    newRepos: async (o) => {
      const h = await options.newStore(o)
      return {
        repos: h.store,
        verifyAuditChain: () => h.verifyAuditChain(),
        dispose: () => h.dispose(),
        damageChunk: (point, hour) => h.damageChunk(point, hour),
        putSamples: async (b, samples) =>
          void (await h.store.ingestBatch(batch(b.seq, samples), { site: 'huaian', receivedAt: b.receivedAt })),
      }
    },
  })
  runOutboxTests({
    name: options.name,
    skip: options.skip,
    newRepos: async (o) => {
      const h = await newRepos(o)
      // The whole ingest stores the batch (one sample at its newest time, inside LEVEL's limits).
      const storeBatch = async (k: BatchKey) => {
        const b = batch(k.seq, [good(LEVEL, k.maxTs, 5)], { edge: k.edge, outbox: k.outbox, floor: k.floor })
        await h.repos.ingestBatch(b, { site: 'huaian', receivedAt: k.receivedAt })
      }
      return { ...h, storeBatch }
    },
  })
  runCameraTests({
    name: options.name,
    skip: options.skip,
    newRepos: async (o) => {
      const h = await newRepos(o)
      // The whole ingest stores the events, each call a batch of its own (pictures written as ingest writes them).
      let seq = 0
      const storeCameraEvents = async (events: CameraEvent[], receivedAt: number) => {
        await h.repos.ingestBatch(batch(++seq, [], { events }), { site: 'huaian', receivedAt })
      }
      return { ...h, storeCameraEvents }
    },
  })

  const skip = new Set(options.skip ?? [])
  const test = (name: string, fn: () => Promise<void>) => (skip.has(name) ? it.skip(name, fn) : it(name, fn))

  describe(`Store conformance: ${options.name}`, () => {
    let opened: StoreHandle[]
    const open = async (o: StoreFactoryOptions = {}) => {
      const h = await options.newStore(o)
      opened.push(h)
      await h.store.applyRegistry(registry)
      return h.store
    }
    let store: Store
    beforeEach(async () => {
      opened = []
      store = await open()
    })
    afterEach(async () => {
      for (const h of opened) await h.dispose()
    })
    const alarms = () => store.listAlarms({ scope: 'all', state: 'all', limit: 100 })

    test('samples: stored in a batch, read back ascending and paged; the latest value only moves forwards', async () => {
      expect(
        await store.ingestBatch(
          batch(1, [good(LEVEL, T0 + 30, 3), good(LEVEL, T0 + 10, 1), good(LEVEL, T0 + 20, 2)]),
          meta,
        ),
      ).toMatchObject({ duplicate: false, samples: 3 })
      expect((await store.history(LEVEL, { from: T0, to: T0 + 100, limit: 10 }, 'all')).map((s) => s.value)).toEqual([
        1, 2, 3,
      ])
      const page = await store.historyPage(LEVEL, { from: T0, to: T0 + 100, limit: 2 }, 'all')
      expect(page.samples.map((s) => s.value)).toEqual([1, 2])
      expect(
        (await store.historyPage(LEVEL, { from: T0, to: T0 + 100, limit: 2, after: page.next! }, 'all')).samples.map(
          (s) => s.value,
        ),
      ).toEqual([3])
      await store.ingestBatch(batch(2, [good(LEVEL, T0 + 5, 9)]), meta)
      expect((await store.getPoint(LEVEL, 'all'))?.latest).toEqual({ ts: T0 + 30, value: 3, quality: 'good' })
      expect(await store.getPoint(PRESSURE, { enterprise: 'shilian' })).toBeNull()
    })

    test('outboxes: a key stored again is a duplicate, with other content a conflict; another outbox is another batch; marks never go down', async () => {
      const b = batch(1, [good(LEVEL, T0, 5)])
      await store.ingestBatch(b, meta)
      expect(await store.ingestBatch(b, meta)).toMatchObject({ duplicate: true, samples: 0 })
      expect((await store.ingestBatch({ ...b, samples: [good(LEVEL, T0, 6)] }, meta)).conflict).toBeDefined()
      expect(await store.ingestBatch({ ...b, outbox: 'outbox-2nd00000' }, meta)).toMatchObject({ duplicate: false })
      expect(await store.history(LEVEL, { from: T0, to: T0, limit: 10 }, 'all')).toHaveLength(2)
      await store.setAckedThrough(EDGE, 1, 'outbox-2nd00000')
      await store.setAckedThrough(EDGE, 0, 'outbox-2nd00000')
      expect((await store.loadAckStates()).find((s) => s.outbox === 'outbox-2nd00000')).toMatchObject({
        ackedThrough: 1,
        current: true,
      })
    })

    test('alarms: raised and recovered by the rules onto the same rows, told after commit, with an append-only timeline', async () => {
      const told: AlarmChange[] = []
      store = await open({ onAlarmChange: (c) => told.push(c) })
      expect(
        await store.ingestBatch(batch(1, [good(LEVEL, T0 + 1, 9.7), good(LEVEL, T0 + 2, 10.8)]), meta),
      ).toMatchObject({ raised: 2 })
      expect(await store.ingestBatch(batch(2, [good(LEVEL, T0 + 3, 5)]), meta)).toMatchObject({ recovered: 2 })
      const list = await alarms()
      expect(list.map((a) => [a.kind, a.state, a.raisedAt, a.recoveredAt])).toEqual([
        ['HH', 'recovered', T0 + 2, T0 + 3],
        ['H', 'recovered', T0 + 1, T0 + 3],
      ])
      expect(told.map((c) => c.action)).toEqual(['raise', 'raise', 'recover', 'recover'])
      const h = list[1]!
      const before = await store.alarmTimeline(h.id, 'all')
      expect(await store.actOnAlarm(h.id, { type: 'ack', by: 'op' }, T0 + 10, 'all')).toMatchObject({ ok: true })
      expect(await store.actOnAlarm(h.id, { type: 'ack', by: 'op' }, T0 + 11, 'all')).toMatchObject({
        ok: false,
        code: 'ALARM_STATE_CONFLICT',
      })
      const after = await store.alarmTimeline(h.id, 'all')
      expect(after!.slice(0, before!.length)).toEqual(before)
      expect(after!.map((e) => e.action)).toEqual(['raise', 'recover', 'ack'])
      const since = await store.alarmChangesSince(0, 'all', 100, [])
      expect(since.map((c) => c.id)).toEqual([...since.map((c) => c.id)].sort((a, b) => a - b))
      expect(await store.alarmChangeEntry({ alarm: h.id, action: 'ack', at: T0 + 10 })).toBe(since.at(-1)!.id)
      expect(await store.getAlarm(h.id, { enterprise: 'fuqiang' })).toBeNull()
    })

    test('registry: applied from config, scoped by enterprise, edited through the API; ownership facts and security events', async () => {
      expect((await store.listPoints({ scope: { enterprise: 'shilian' } })).map((p) => p.id)).toEqual([LEVEL])
      await store.registry.create('enterprises', { id: 'newco', name: '新公司' } as never)
      expect((await store.registry.list('enterprises', 'all')).map((e) => e.id)).toContain('newco')
      await store.ingestBatch(batch(1, [good(LEVEL, T0, 1)]), meta)
      const facts = await store.ownershipFacts(EDGE, [LEVEL, 'no.such'], [])
      expect(facts.points.get(LEVEL)).toEqual({ edge: EDGE, enterprise: 'shilian' })
      expect(facts.points.has('no.such')).toBe(false)
      const event = {
        edge: 'rogue-01',
        reason: 'not_owned',
        code: 'PL_NOT_OWNED',
        items: [LEVEL],
        at: T0,
        priority: 'A' as const,
      }
      const first = await store.recordSecurityEvent(event)
      expect(first.raised).toBe(true)
      expect(await store.recordSecurityEvent({ ...event, at: T0 + 1 })).toEqual({ alarm: first.alarm, raised: false })
      expect((await store.alarmTimeline(first.alarm, 'all'))!.map((e) => e.action)).toEqual([
        'raise',
        'recover',
        'refused',
      ])
    })

    test('windows: requested by an enterprise, decided by the park; an approved one suppresses raises and counts them', async () => {
      const req = await store.requestWindow(
        { enterprise: 'shilian', points: [LEVEL], from: T0, to: T0 + 60_000, reason: 'calibration', by: 'ent' },
        T0 - 1000,
        { enterprise: 'shilian' },
      )
      expect(req).toMatchObject({ ok: true, window: { status: 'requested' } })
      const id = req.ok ? req.window.id : 0
      expect(await store.decideWindow(id, { decision: 'approve', by: 'park' }, T0 - 500, 'all')).toMatchObject({
        ok: true,
        window: { status: 'approved' },
      })
      expect(await store.ingestBatch(batch(1, [good(LEVEL, T0 + 1, 9.7)]), meta)).toMatchObject({
        raised: 0,
        suppressed: 1,
      })
      expect((await store.getWindow(id, 'all'))?.suppressed).toBe(1)
    })

    test('cameras and snapshots: status events move the camera, a video event raises an alarm with its picture', async () => {
      const body = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('a tiny picture')])
      const snapshot = {
        id: uuid(9),
        ts: T0,
        contentType: 'image/jpeg' as const,
        bytes: body.length,
        sha256: createHash('sha256').update(body).digest('hex'),
        data: body.toString('base64'),
      }
      const events: CameraEvent[] = [
        { id: uuid(1), camera: 'cam-01', ts: T0, type: 'status', online: false, reason: 'timeout' },
        {
          id: uuid(2),
          camera: 'cam-01',
          ts: T0 + 1,
          type: 'pulse',
          topic: 'tns1:RuleEngine/LineDetector',
          kind: 'line',
          code: 'RYJJ',
          priority: 'A',
          snapshot,
        },
      ]
      expect(await store.ingestBatch(batch(1, [], { events }), meta)).toMatchObject({ raised: 1, recovered: 1 })
      expect((await store.listCameras('all')).map((c) => [c.id, c.online])).toEqual([['cam-01', false]])
      const [video] = await alarms()
      expect(video).toMatchObject({ point: 'camera:cam-01', kind: 'RYJJ', state: 'recovered' })
      expect((await store.alarmSnapshots(video!.id, 'all'))!.map((s) => s.id)).toEqual([snapshot.id])
      expect((await store.getSnapshot(snapshot.id, 'all'))?.body.equals(body)).toBe(true)
      expect(await store.alarmSnapshots(999_999, 'all')).toBeNull()
    })

    test('deliveries: pushes planned with the raise, due until recorded', async () => {
      store = await open({
        planPushes: (alarm, change) =>
          change.action === 'raise' ? [{ recipient: 'ops', channel: 'webhook', dueAt: alarm.raisedAt, n: 1 }] : [],
      })
      await store.ingestBatch(batch(1, [good(LEVEL, T0 + 1, 9.7)]), meta)
      const [due] = await store.duePushes(T0 + 2, 10)
      expect(due).toMatchObject({ recipient: 'ops', channel: 'webhook', status: 'pending', attempts: 0 })
      await store.recordPush(due!.id, { status: 'sent', attempts: 1, at: T0 + 3 })
      expect(await store.duePushes(T0 + 4, 10)).toEqual([])
      expect((await store.alarmDeliveries(due!.alarm, 'all')).map((d) => d.status)).toEqual(['sent'])
    })

    test('transaction: a batch whose pushes cannot be planned leaves nothing behind, and its resend is stored whole', async () => {
      let fail = true
      store = await open({
        planPushes: () => {
          if (fail) throw new Error('planner down')
          return []
        },
      })
      const b = batch(1, [good(LEVEL, T0 + 1, 9.7)])
      await expect(store.ingestBatch(b, { ...meta, ackedThrough: 1 })).rejects.toThrow(/planner down/)
      expect(await store.history(LEVEL, { from: T0, to: T0 + 10, limit: 10 }, 'all')).toEqual([])
      expect(await alarms()).toEqual([])
      expect(await store.loadAckStates()).toEqual([])
      fail = false
      expect(await store.ingestBatch(b, { ...meta, ackedThrough: 1 })).toMatchObject({ duplicate: false, raised: 1 })
      expect((await store.loadAckStates())[0]).toMatchObject({ ackedThrough: 1 })
    })
  })
}
