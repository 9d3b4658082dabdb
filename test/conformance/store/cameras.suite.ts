import { createHash } from 'node:crypto'
import { afterEach, beforeEach, describe, expect } from 'vitest'
import type { CameraRepo } from '../../../cloud/store/repos/cameras.ts'
import type { EdgeRepo } from '../../../cloud/store/repos/edges.ts'
import type { RegistryRepo } from '../../../cloud/store/repos/registry.ts'
import type { CameraAlarmEvent, CameraEvent, Snapshot } from '../../../shared/wire/camera.ts'
import type { PointInfo, StatusBirth } from '../../../shared/wire/messages.ts'
import { EDGE, type RepoFactoryOptions, type RepoHandle, registry, sectionTest, T0 } from './fixtures.ts'

/** What the cameras section needs: CameraRepo, births to announce cameras, the registry. */
export type CameraRepos = CameraRepo & Pick<EdgeRepo, 'recordBirth'> & Pick<RegistryRepo, 'applyRegistry'>

export interface CameraSectionOptions {
  name: string
  newRepos: (options: RepoFactoryOptions) => Promise<
    RepoHandle<CameraRepos> & {
      /**
       * What ingest stores of a batch of EDGE's camera events (pictures, parts, rows): the engine's
       * own ingest, or its pieces where the engine's ingest is still to come.
       */
      storeCameraEvents(events: CameraEvent[], receivedAt: number): Promise<void>
    }
  >
  skip?: string[]
}

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`
const jpeg = (text: string) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(text)])
const snapshotOf = (n: number, ts: number, body: Buffer, parts?: number): Snapshot => ({
  id: uuid(n),
  ts,
  contentType: 'image/jpeg',
  bytes: body.length,
  sha256: createHash('sha256').update(body).digest('hex'),
  data: parts === undefined ? body.toString('base64') : '',
  ...(parts === undefined ? {} : { parts }),
})
const pulse = (n: number, camera: string, ts: number, snapshot?: Snapshot): CameraAlarmEvent => ({
  id: uuid(n),
  camera,
  ts,
  type: 'pulse',
  topic: 'tns1:RuleEngine/LineDetector',
  kind: 'line',
  code: 'RYJJ',
  priority: 'A',
  ...(snapshot ? { snapshot } : {}),
})
const status = (n: number, camera: string, ts: number, online: boolean, reason?: string): CameraEvent => ({
  id: uuid(n),
  camera,
  ts,
  type: 'status',
  online,
  ...(reason ? { reason } : {}),
})

/** Cameras of two enterprises on EDGE, ids chosen so byte order differs from a locale's. */
const camera = (device: string, enterprise: string, name?: string): PointInfo => ({
  id: `${device}.motion`,
  device,
  camera: { area: 'tank-farm', enterprise, host: '10.0.0.9', port: 80, ...(name ? { name } : {}) },
})
const birth: StatusBirth = {
  v: 1,
  kind: 'birth',
  edge: EDGE,
  site: 'huaian',
  session: 's-1',
  ts: T0,
  configHash: 'cfg-1',
  points: [camera('cam-02', 'shilian'), camera('Cam-03', 'fuqiang'), camera('cam-01', 'shilian', '罐区1号')],
  outbox: { samples: 0, batches: 0, bytes: 0, oldestTs: null, evicted: 0 },
  outboxId: 'outbox-1a2b3c4d',
}
const SHILIAN = { enterprise: 'shilian' }
const FUQIANG = { enterprise: 'fuqiang' }

/** CameraRepo (cloud/store/repos/cameras.ts) as executable tests. */
export function runCameraTests(options: CameraSectionOptions): void {
  const test = sectionTest(options.skip)
  describe(`Store conformance: ${options.name} — cameras`, () => {
    let handle: Awaited<ReturnType<CameraSectionOptions['newRepos']>>
    let repos: CameraRepos
    beforeEach(async () => {
      handle = await options.newRepos({})
      repos = handle.repos
      await repos.applyRegistry(registry)
      await repos.recordBirth('huaian', birth, T0)
    })
    afterEach(() => handle.dispose())
    const store = (events: CameraEvent[], at = T0 + 100) => handle.storeCameraEvents(events, at)

    test('cameras: listed by id in byte order, inside the scope, with the state their status events gave', async () => {
      expect((await repos.listCameras('all')).map((c) => c.id)).toEqual(['Cam-03', 'cam-01', 'cam-02'])
      expect(await repos.listCameras(SHILIAN)).toEqual([
        {
          id: 'cam-01',
          edge: EDGE,
          site: 'huaian',
          name: '罐区1号',
          area: 'tank-farm',
          enterprise: 'shilian',
          host: '10.0.0.9',
          port: 80,
          online: null,
          since: null,
          reason: null,
          lastEventAt: null,
        },
        expect.objectContaining({ id: 'cam-02', name: null }),
      ])
      await store([status(1, 'cam-01', T0 + 10, false, 'timeout')])
      expect((await repos.listCameras(SHILIAN))[0]).toMatchObject({ online: false, since: T0 + 10, reason: 'timeout' })
      expect((await repos.listCameras(FUQIANG)).map((c) => [c.id, c.online])).toEqual([['Cam-03', null]])
    })

    test("cameras: a later birth of their edge updates the entry and keeps the online state; another edge's birth changes nothing", async () => {
      await store([status(1, 'cam-01', T0 + 10, false, 'timeout')])
      const moved = { ...camera('cam-01', 'shilian', '罐区东'), camera: { area: 'dock', host: '10.0.0.7', port: 8080 } }
      await repos.recordBirth('huaian', { ...birth, session: 's-2', points: [moved] }, T0 + 20)
      const [entry] = (await repos.listCameras('all')).filter((c) => c.id === 'cam-01')
      expect(entry).toMatchObject({ name: null, area: 'dock', host: '10.0.0.7', port: 8080, enterprise: null })
      expect(entry).toMatchObject({ online: false, since: T0 + 10, reason: 'timeout' })
      await repos.recordBirth(
        'huaian',
        { ...birth, edge: 'rogue-01', session: 'r-1', points: [camera('cam-01', 'fuqiang')] },
        T0 + 30,
      )
      expect((await repos.listCameras('all')).find((c) => c.id === 'cam-01')).toEqual(entry)
    })

    test('cameras: status history is each camera’s state at `from` and its transitions in [from, to), in scope', async () => {
      await store([
        status(1, 'cam-01', T0, false, 'timeout'),
        status(2, 'cam-01', T0 + 10, true),
        status(3, 'cam-02', T0 + 5, false),
        status(4, 'cam-01', T0 + 20, false),
        status(5, 'cam-01', T0 + 30, true),
        status(6, 'Cam-03', T0 + 25, false),
      ])
      const history = (from: number, to: number, scope: Parameters<CameraRepo['listCameras']>[0] = 'all') =>
        repos.cameraStatusHistory({ from, to }, scope)
      expect(await history(T0 + 15, T0 + 30, SHILIAN)).toEqual([
        { camera: 'cam-01', ts: T0 + 10, online: true },
        { camera: 'cam-01', ts: T0 + 20, online: false },
        { camera: 'cam-02', ts: T0 + 5, online: false },
      ])
      expect(await history(T0 + 15, T0 + 30, FUQIANG)).toEqual([{ camera: 'Cam-03', ts: T0 + 25, online: false }])
      // Nothing before the period: no state at `from`; `to` itself is outside.
      expect(await history(T0 - 100, T0 + 10)).toEqual([
        { camera: 'cam-01', ts: T0, online: false },
        { camera: 'cam-02', ts: T0 + 5, online: false },
      ])
      expect(await history(T0 + 31, T0 + 40, SHILIAN)).toEqual([
        { camera: 'cam-01', ts: T0 + 30, online: true },
        { camera: 'cam-02', ts: T0 + 5, online: false },
      ])
    })

    test('cameras: the newest snapshot of each camera (ties: the larger id), in scope; its body round-trips', async () => {
      const bodies = [jpeg('first'), jpeg('second'), jpeg('tie'), jpeg('fuqiang')]
      await store([
        pulse(11, 'cam-01', T0 + 1, snapshotOf(21, T0 + 1, bodies[0]!)),
        pulse(12, 'cam-01', T0 + 2, snapshotOf(22, T0 + 2, bodies[1]!)),
        pulse(13, 'cam-02', T0 + 3, snapshotOf(24, T0 + 3, bodies[2]!)),
        pulse(14, 'cam-02', T0 + 3, snapshotOf(23, T0 + 3, bodies[2]!)),
        pulse(15, 'Cam-03', T0 + 4, snapshotOf(25, T0 + 4, bodies[3]!)),
      ])
      expect(await repos.latestSnapshots('all')).toEqual([
        { camera: 'Cam-03', id: uuid(25), ts: T0 + 4 },
        { camera: 'cam-01', id: uuid(22), ts: T0 + 2 },
        { camera: 'cam-02', id: uuid(24), ts: T0 + 3 },
      ])
      expect((await repos.latestSnapshots(FUQIANG)).map((s) => s.id)).toEqual([uuid(25)])
      const got = await repos.getSnapshot(uuid(22), SHILIAN)
      expect(got?.body.equals(bodies[1]!)).toBe(true)
      expect(got?.snapshot).toEqual({
        id: uuid(22),
        camera: 'cam-01',
        event: uuid(12),
        alarm: expect.any(Number),
        ts: T0 + 2,
        bytes: bodies[1]!.length,
        sha256: createHash('sha256').update(bodies[1]!).digest('hex'),
        receivedAt: T0 + 100,
      })
      expect(await repos.getSnapshot(uuid(22), FUQIANG)).toBeNull()
      expect(await repos.getSnapshot(uuid(99), 'all')).toBeNull()
      expect(await repos.getSnapshot('../../etc/passwd', 'all')).toBeNull()
    })

    test("cameras: an alarm's snapshots oldest first; null for an unknown alarm or one outside the scope", async () => {
      const body = jpeg('a tiny picture')
      await store([pulse(11, 'cam-01', T0 + 1, snapshotOf(21, T0 + 1, body))])
      const alarm = (await repos.getSnapshot(uuid(21), 'all'))?.snapshot.alarm
      expect(alarm).toEqual(expect.any(Number))
      expect((await repos.alarmSnapshots(alarm!, SHILIAN))?.map((s) => s.id)).toEqual([uuid(21)])
      expect(await repos.alarmSnapshots(alarm!, FUQIANG)).toBeNull()
      expect(await repos.alarmSnapshots(alarm! + 1000, 'all')).toBeNull()
    })

    test('cameras: a split snapshot whose last part comes after its event is linked to its alarm then', async () => {
      const body = jpeg('a picture too large for one message, in parts')
      const base64 = body.toString('base64')
      const cut = Math.floor(base64.length / 8) * 4
      const part = (n: number, index: number, data: string): CameraEvent => ({
        id: uuid(n),
        camera: 'cam-01',
        ts: T0 + 1,
        type: 'part',
        snapshot: uuid(21),
        index,
        count: 2,
        data,
      })
      await store([part(31, 0, base64.slice(0, cut)), pulse(11, 'cam-01', T0 + 1, snapshotOf(21, T0 + 1, body, 2))])
      expect(await repos.getSnapshot(uuid(21), 'all')).toBeNull()
      expect(await repos.latestSnapshots('all')).toEqual([])
      await store([part(32, 1, base64.slice(cut))], T0 + 200)
      const got = await repos.getSnapshot(uuid(21), 'all')
      expect(got?.body.equals(body)).toBe(true)
      expect(got?.snapshot).toMatchObject({ event: uuid(11), receivedAt: T0 + 200 })
      expect((await repos.alarmSnapshots(got!.snapshot.alarm!, 'all'))?.map((s) => s.id)).toEqual([uuid(21)])
      // The last part resent: nothing changes.
      await store([part(32, 1, base64.slice(cut))], T0 + 300)
      expect((await repos.getSnapshot(uuid(21), 'all'))?.snapshot.receivedAt).toBe(T0 + 200)
    })
  })
}
