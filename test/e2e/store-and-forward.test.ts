import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { startParklink, stopAll, type Child } from '../util/child.ts'
import { createMosquitto, type Mosquitto } from '../util/mosquitto.ts'
import { freePort } from '../util/ports.ts'
import { bearer, getJson, tryGetJson } from '../util/http.ts'
import { addKey } from '../../deploy/accounts.ts'
import { waitFor } from '../util/wait.ts'
import { startPlant, type Plant } from '../sim/plant.ts'
import { blockSamplesBySeq, edgeSamples } from '../util/stored-samples.ts'
import { cloudConfigFor, edgeConfigFor } from '../../deploy/demo/configs.ts'

/**
 * The spine on real parts: Debian's mosquitto (no persistence: a restart loses everything it
 * held), the Modbus plant simulator, and `parklink edge` / `parklink cloud` as separate
 * processes. Faults: the broker stopped for seconds, the cloud killed with SIGKILL, the edge
 * restarted. Then: stored (edge, seq) ∪ still held by the edge = every seq the edge assigned.
 */
interface PointView {
  id: string
  latest: { ts: number; value: unknown; quality: string; reason?: string } | null
}
interface AlarmView {
  point: string
  kind: string
  priority: string
  raisedAt: number
  recoveredAt: number | null
}
interface EdgeView {
  id: string
  online: boolean
  ackedThrough: number
}

const EDGE = 'shilian-01'
const OUTAGE_MS = 4_000

describe('store and forward on real parts', () => {
  let dir: string
  let mosquitto: Mosquitto
  let plant: Plant
  let api: string
  let cloudArgs: string[]
  let edgeArgs: string[]
  let cloud: Child
  let edge: Child
  let auth: Record<string, string>

  const outboxFile = () => path.join(dir, 'edge', 'outbox.db')
  const cloudFile = () => path.join(dir, 'cloud', 'cloud.db')
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
  const ackedThrough = async () =>
    (await tryGetJson<EdgeView[]>(`${api}/api/v1/edges`, auth))?.find((e) => e.id === EDGE)?.ackedThrough ?? -1
  const logs = () => `--- cloud ---\n${cloud?.output().slice(-4000)}\n--- edge ---\n${edge?.output().slice(-4000)}`

  /** The highest seq the edge has assigned, read from its outbox while it runs (WAL allows it). */
  function edgeLastSeq(): number {
    const db = new Database(outboxFile(), { readonly: true, fileMustExist: true })
    try {
      return (db.prepare('SELECT MAX(seq) AS seq FROM sqlite_sequence').get() as { seq: number | null }).seq ?? 0
    } finally {
      db.close()
    }
  }

  async function waitAcked(atLeast: number, what: string) {
    await waitFor(async () => (await ackedThrough()) >= atLeast, {
      timeoutMs: 30_000,
      message: () => `${what}: cloud never acked through ${atLeast}\n${logs()}`,
    })
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-e2e-'))
    const mqttPort = await freePort()
    const httpPort = await freePort()
    const absentPort = await freePort() // nothing listens there: an unreachable PLC
    mosquitto = createMosquitto(mqttPort)
    await mosquitto.start()
    plant = await startPlant({ port: 0, tickMs: 250, scenarioPeriodMs: 8_000 })
    const mqttUrl = `mqtt://127.0.0.1:${mqttPort}`
    const edgeConfig = edgeConfigFor({
      site: 'e2e-park',
      edge: EDGE,
      dataDir: './edge',
      mqttUrl,
      plantPort: plant.port,
      pollMs: 250,
      absentDevicePort: absentPort,
      fastTimeouts: true,
    })
    const cloudConfig = cloudConfigFor({ dataDir: './cloud', httpPort, mqttUrl, clientId: 'parklink-cloud-e2e' })
    writeFileSync(path.join(dir, 'edge.yaml'), stringify(edgeConfig))
    writeFileSync(path.join(dir, 'cloud.yaml'), stringify(cloudConfig))
    api = `http://127.0.0.1:${httpPort}`
    cloudArgs = ['cloud', '--config', path.join(dir, 'cloud.yaml')]
    // As on a new installation: an API key for this test, made with the bootstrap command's code.
    auth = bearer((await addKey(path.join(dir, 'cloud.yaml'), { name: 'e2e-check', role: 'park_operator' })).key)
    edgeArgs = ['edge', '--config', path.join(dir, 'edge.yaml')]
    cloud = startParklink('cloud', cloudArgs)
    edge = startParklink('edge', edgeArgs)
  })

  afterAll(async () => {
    await stopAll()
    await plant?.stop()
    await mosquitto?.dispose()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('delivers live values, marks an unreachable PLC bad, raises and recovers HH', async () => {
    await waitFor(
      async () => {
        const points = await tryGetJson<PointView[]>(`${api}/api/v1/points`, auth)
        return (points?.filter((p) => p.latest?.quality === 'good').length ?? 0) >= 10
      },
      { timeoutMs: 30_000, message: () => `fewer than 10 good points\n${logs()}` },
    )

    const absent = await waitFor(
      async () => {
        const points = await getJson<PointView[]>(`${api}/api/v1/points`, auth)
        const p = points.find((x) => x.id === 'shilian.absent.level')
        return p?.latest?.quality === 'bad' ? p : null
      },
      { timeoutMs: 20_000, message: () => `the unreachable PLC's point never went bad\n${logs()}` },
    )
    expect(absent.latest?.reason).toMatch(/unreachable|timeout|reconnect_backoff/)

    const alarm = await waitFor(
      async () => {
        const alarms = await getJson<AlarmView[]>(`${api}/api/v1/alarms?state=all`, auth)
        return (
          alarms.find((a) => a.point === 'shilian.tk101.level' && a.kind === 'HH' && a.recoveredAt !== null) ?? null
        )
      },
      { timeoutMs: 40_000, message: () => `no recovered HH alarm on TK-101\n${logs()}` },
    )
    expect(alarm.priority).toBe('S') // level-1 major hazard source: HH → S (brief §5)
    expect(alarm.recoveredAt).toBeGreaterThan(alarm.raisedAt)
  }, 90_000)

  it("answers the park's commands over MQTT: ping, status, and one point read now", async () => {
    const ask = async (body: unknown) => {
      const res = await fetch(`${api}/api/v1/edges/${EDGE}/commands`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      })
      return {
        status: res.status,
        body: (await res.json()) as {
          ok: boolean
          result?: Record<string, unknown>
          error?: { code: string; message: string }
        },
      }
    }
    expect(await ask({ type: 'ping' })).toMatchObject({
      status: 200,
      body: { ok: true, result: { type: 'pong', session: expect.any(String) } },
    })
    expect(await ask({ type: 'status' })).toMatchObject({
      status: 200,
      body: {
        ok: true,
        result: { type: 'status', drivers: expect.arrayContaining([expect.objectContaining({ state: 'connected' })]) },
      },
    })
    const read = await ask({ type: 'read', point: 'shilian.tk101.level' })
    expect(read).toMatchObject({
      status: 200,
      body: {
        ok: true,
        result: { type: 'read', sample: { point: 'shilian.tk101.level', quality: 'good', value: expect.any(Number) } },
      },
    })
    expect(await ask({ type: 'read', point: 'shilian.nowhere' })).toMatchObject({
      status: 200,
      body: { ok: false, error: { code: 'PL_NOT_FOUND' } },
    })
    expect((await ask({ type: 'reboot' })).status).toBe(400)
    expect(
      (
        await fetch(`${api}/api/v1/edges/nobody/commands`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: '{"type":"ping"}',
        })
      ).status,
    ).toBe(404)
  }, 60_000)

  it('loses and duplicates nothing across a broker outage, a killed cloud and an edge restart', async () => {
    // 1. The broker disappears with everything it held, then comes back on the same port.
    await mosquitto.stop()
    await sleep(OUTAGE_MS)
    await mosquitto.start()
    await waitAcked(edgeLastSeq(), 'after the broker outage')

    // 2. The cloud is killed mid-stream (no chance to finish anything) and restarted.
    expect(await cloud.kill('SIGKILL')).toBe('SIGKILL')
    await sleep(OUTAGE_MS)
    cloud = startParklink('cloud', cloudArgs)
    await waitAcked(edgeLastSeq(), 'after the cloud was killed')

    // 3. The edge stops cleanly and starts again: seq numbering continues, the backlog drains.
    expect(await edge.kill('SIGTERM')).toBe(0)
    const beforeRestart = edgeLastSeq()
    edge = startParklink('edge', edgeArgs)
    await waitAcked(beforeRestart + 1, 'after the edge restarted')
    expect(await edge.kill('SIGTERM')).toBe(0)
    expect(await cloud.kill('SIGTERM')).toBe(0)

    // What the edge assigned: 1..lastSeq. What it still holds: its unacked tail.
    const outbox = new Database(outboxFile(), { readonly: true })
    const lastSeq = (outbox.prepare('SELECT MAX(seq) AS seq FROM sqlite_sequence').get() as { seq: number }).seq
    const firstSeq = (outbox.prepare("SELECT value FROM meta WHERE key = 'first_seq'").get() as { value: number }).value
    const held = (outbox.prepare('SELECT seq FROM batches ORDER BY seq').all() as Array<{ seq: number }>).map(
      (r) => r.seq,
    )
    outbox.close()

    const store = new Database(cloudFile(), { readonly: true })
    const stored = (
      store.prepare('SELECT seq FROM batches WHERE edge = ? ORDER BY seq').all(EDGE) as Array<{ seq: number }>
    ).map((r) => r.seq)
    // Each batch's samples are its historian block (or, once compacted, in its points' chunks).
    const counts = store
      .prepare('SELECT seq, sample_count AS expected FROM batches WHERE edge = ?')
      .all(EDGE) as Array<{
      seq: number
      expected: number
    }>
    const blocks = blockSamplesBySeq(store, EDGE)
    const incomplete = counts.filter((b) => blocks.has(b.seq) && blocks.get(b.seq)!.length !== b.expected)
    const all = edgeSamples(store, EDGE)
    const perPointTs = new Map<string, number>()
    for (const r of all) perPointTs.set(`${r.point}@${r.ts}`, (perPointTs.get(`${r.point}@${r.ts}`) ?? 0) + 1)
    const duplicateSamples = [...perPointTs].filter(([, n]) => n > 1)
    const totalExpected = counts.reduce((n, b) => n + b.expected, 0)
    store.close()

    expect(lastSeq).toBeGreaterThan(beforeRestart)
    expect(new Set(stored).size).toBe(stored.length)
    const assigned = Array.from({ length: lastSeq - firstSeq + 1 }, (_, i) => firstSeq + i)
    expect([...new Set([...stored, ...held])].sort((a, b) => a - b)).toEqual(assigned)
    // Everything up to the restart was acked, so it must be stored, not just held.
    expect(stored.filter((s) => s <= beforeRestart)).toEqual(assigned.filter((s) => s <= beforeRestart))
    expect(incomplete).toEqual([])
    expect(duplicateSamples).toEqual([])
    expect(all.length).toBe(totalExpected)
  }, 180_000)
})
