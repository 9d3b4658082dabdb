import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { addKey } from '../../deploy/accounts.ts'
import { cloudConfigFor, edgeConfigFor } from '../../deploy/demo/configs.ts'
import { postgresStoredReader } from '../faults/stored-reader-postgres.ts'
import type { StoredBatchesReader } from '../faults/stored-reader.ts'
import { startPlant, type Plant } from '../sim/plant.ts'
import { startParklink, stopAll, type Child } from '../util/child.ts'
import { bearer, tryGetJson } from '../util/http.ts'
import { createMosquitto, type Mosquitto } from '../util/mosquitto.ts'
import { freePort } from '../util/ports.ts'
import { startPostgres, type TestPostgres } from '../util/postgres.ts'
import { waitFor } from '../util/wait.ts'

/**
 * Issue 16's acceptance in `npm test`: two cloud replicas (`parklink cloud` processes) on one
 * PostgreSQL and one Mosquitto, three edges streaming from the plant simulator (TK-101 crosses HH
 * once per scenario period on each). The replica that owns edges is killed with SIGKILL (nothing
 * released by it: PostgreSQL ends its lock session). The survivor takes its edges over: every seq
 * each edge assigned is stored once, no sample twice, one HH alarm per excursion. The takeover
 * time (kill → the survivor acks a newer batch of the edge) is printed, not asserted. A third
 * process started with a live replica's id is refused (PL_REPLICA_ID_IN_USE, exit non-zero).
 */
const SITE = 'rep-park'
const EDGES = ['rep-01', 'rep-02', 'rep-03'] as const
const PERIOD_MS = 10_000
const TK101 = 'shilian.tk101.level'
/** Each edge sends the plant's points under ids of its own (the first under the demo's ids). */
const pointId = (edge: string, id: string) => (edge === EDGES[0] ? id : `${edge}.${id}`)

interface EdgeView {
  id: string
  ackedThrough: number
}

type Json = Record<string, unknown>

/** The demo edge config with its points renamed for this edge (devices and local alarms alike). */
function edgeConfig(edge: string, mqttUrl: string, plantPort: number): Json {
  const config = edgeConfigFor({ site: SITE, edge, dataDir: `./${edge}`, mqttUrl, plantPort, pollMs: 500 }) as Json
  const rename = (p: Json) => ({ ...p, id: pointId(edge, p.id as string) })
  const devices = (config.devices as Json[]).map((d) => ({ ...d, points: (d.points as Json[]).map(rename) }))
  const alarms = config.alarms as { points: Json[] }
  // Fast reconnects; the ack timeout stays the default (15 s): a takeover must not wait for it.
  const uplink = { ...(config.uplink as Json), heartbeatMs: 1_000, reconnectMinMs: 100, reconnectMaxMs: 1_000 }
  return { ...config, uplink, devices, alarms: { points: alarms.points.map(rename) } }
}

function replicaConfig(name: string, httpPort: number, mqttUrl: string, pgUrl: string): Json {
  const config = cloudConfigFor({ dataDir: `./${name}`, httpPort, mqttUrl, clientId: name }) as Json
  const registry = config.registry as { points: Json[] }
  const plantPoints = registry.points.filter((p) => (p.id as string).startsWith('shilian.'))
  const copies = EDGES.slice(1).flatMap((edge) =>
    plantPoints.map((p) => ({ ...p, id: pointId(edge, p.id as string), name: `${p.name as string} (${edge})` })),
  )
  return {
    ...config,
    registry: { ...registry, points: [...registry.points, ...copies] },
    store: { engine: 'postgres', url: pgUrl },
    cluster: { claimRetryMs: 1_000 },
  }
}

describe('two cloud replicas on one PostgreSQL: one killed mid-stream', () => {
  let dir: string
  let pg: TestPostgres
  let mosquitto: Mosquitto
  let plant: Plant
  let reader: StoredBatchesReader
  let sql: postgres.Sql
  const replicas = new Map<string, { child: Child; api: string; file: string }>()
  const edges = new Map<string, Child>()
  let auth: Record<string, string>

  const logs = () =>
    [...replicas, ...[...edges].map(([n, child]) => [n, { child }] as const)]
      .map(([n, r]) => `--- ${n} ---\n${r.child.output().slice(-3000)}`)
      .join('\n')
  const marks = async (api: string) => {
    const list = await tryGetJson<EdgeView[]>(`${api}/api/v1/edges`, auth)
    return new Map((list ?? []).map((e) => [e.id, e.ackedThrough]))
  }
  /** The highest seq an edge has assigned (its outbox file, read while it runs: WAL allows it). */
  const lastSeq = (edge: string) => {
    const db = new Database(path.join(dir, edge, 'outbox.db'), { readonly: true, fileMustExist: true })
    try {
      return (db.prepare('SELECT MAX(seq) AS seq FROM sqlite_sequence').get() as { seq: number | null }).seq ?? 0
    } finally {
      db.close()
    }
  }
  const takenBy = (name: string) =>
    EDGES.filter((edge) => new RegExp(`"edge":"${edge}"[^\\n]*edge taken`).test(replicas.get(name)!.child.output()))

  async function startReplica(name: string, mqttUrl: string) {
    const httpPort = await freePort()
    const file = path.join(dir, `${name}.yaml`)
    writeFileSync(file, stringify(replicaConfig(name, httpPort, mqttUrl, pg.url)))
    const child = startParklink(name, ['cloud', '--config', file])
    replicas.set(name, { child, api: `http://127.0.0.1:${httpPort}`, file })
    await waitFor(() => /parklink cloud running/.test(child.output()), {
      timeoutMs: 60_000,
      message: () => `${name} did not start:\n${child.output()}`,
    })
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-replicas-'))
    pg = await startPostgres({ database: 'parklink' })
    reader = postgresStoredReader(pg.url)
    sql = postgres(pg.url, { max: 1, onnotice: () => {} })
    const mqttPort = await freePort()
    mosquitto = createMosquitto(mqttPort)
    await mosquitto.start()
    plant = await startPlant({ port: 0, tickMs: 250, scenarioPeriodMs: PERIOD_MS })
    const mqttUrl = `mqtt://127.0.0.1:${mqttPort}`
    await startReplica('replica-a', mqttUrl)
    await startReplica('replica-b', mqttUrl)
    auth = bearer((await addKey(replicas.get('replica-a')!.file, { name: 'replicas', role: 'park_operator' })).key)
    for (const edge of EDGES) {
      const file = path.join(dir, `${edge}.yaml`)
      writeFileSync(file, stringify(edgeConfig(edge, mqttUrl, plant.port)))
      edges.set(edge, startParklink(edge, ['edge', '--config', file]))
    }
  }, 180_000)

  afterAll(async () => {
    await stopAll()
    await reader?.close()
    await sql?.end()
    await plant?.stop()
    await mosquitto?.dispose()
    await pg?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('the survivor takes the killed replica’s edges over: 0 lost, 0 duplicated, one alarm per episode', async () => {
    const a = replicas.get('replica-a')!
    const b = replicas.get('replica-b')!
    // Streaming through both: every edge acked a few batches, each by exactly one replica.
    await waitFor(
      async () => {
        const stored = await Promise.all(EDGES.map((edge) => reader.batches(edge)))
        return stored.every((list) => list.length >= 5) && (await marks(a.api)).size === EDGES.length
      },
      {
        timeoutMs: 60_000,
        message: () => `not every edge acked 5 batches\n${logs()}`,
      },
    )
    const ofA = takenBy('replica-a')
    const ofB = takenBy('replica-b')
    expect([...ofA, ...ofB].sort()).toEqual([...EDGES])
    expect(ofA.filter((e) => ofB.includes(e))).toEqual([])

    // The replica holding more edges dies without releasing anything.
    const [victim, survivor, moved] = ofA.length >= ofB.length ? ['replica-a', b, ofA] : ['replica-b', a, ofB]
    const before = await marks(survivor.api)
    const killedAt = Date.now()
    await replicas.get(victim)!.child.kill('SIGKILL')

    const takeover = new Map<string, number>()
    await waitFor(
      async () => {
        const now = await marks(survivor.api)
        for (const edge of moved)
          if (!takeover.has(edge) && (now.get(edge) ?? 0) > (before.get(edge) ?? 0))
            takeover.set(edge, Date.now() - killedAt)
        return takeover.size === moved.length
      },
      { timeoutMs: 60_000, intervalMs: 100, message: () => `the survivor did not take every edge over\n${logs()}` },
    )
    console.log(
      `takeover after SIGKILL of ${victim}: ${moved.map((e) => `${e} ${(takeover.get(e)! / 1000).toFixed(1)} s`).join(', ')}`,
    )

    // An HH excursion on a moved edge after the kill, raised and recovered by the survivor.
    const movedTk = pointId(moved[0]!, TK101)
    await waitFor(
      async () =>
        (
          await sql`select 1 from alarms where point = ${movedTk} and kind = 'HH' and raised_at > ${killedAt}
                    and recovered_at is not null`
        ).length > 0,
      { timeoutMs: 60_000, intervalMs: 250, message: () => `no HH episode after the kill on ${movedTk}\n${logs()}` },
    )

    // Everything each edge assigned so far is acked, then the edges stop (their outboxes are final).
    const assigned = new Map(EDGES.map((edge) => [edge, lastSeq(edge)]))
    await waitFor(
      async () => {
        const now = await marks(survivor.api)
        return EDGES.every((edge) => (now.get(edge) ?? 0) >= assigned.get(edge)!)
      },
      { timeoutMs: 60_000, intervalMs: 250, message: () => `not everything acked\n${logs()}` },
    )
    for (const edge of EDGES) expect(await edges.get(edge)!.kill('SIGTERM')).toBe(0)
    // Nothing refused as another edge's key, no handler failure, on the survivor.
    expect(survivor.child.output()).not.toMatch(/SEQ CONFLICT|message handler failed/)

    for (const edge of EDGES) {
      // 0 lost: every seq the edge assigned is stored (the key is unique: stored at most once).
      const seqs = new Set((await reader.batches(edge)).map((s) => s.seq))
      // The edge numbers from its outbox's creation time (edge/agent.ts firstSeq): its first batch is the lowest stored.
      const first = Math.min(...seqs)
      const last = lastSeq(edge)
      expect(last - first).toBeGreaterThan(10)
      const missing = Array.from({ length: last - first + 1 }, (_, i) => first + i).filter((s) => !seqs.has(s))
      expect(missing, `${edge}: seqs never stored`).toEqual([])
      expect(await reader.gaps(edge), `${edge}: gaps`).toEqual([])
      // 0 duplicated: no (point, ts) twice among the edge's stored samples.
      const seen = new Set<string>()
      let duplicates = 0
      for (const rows of (await reader.blockSamplesBySeq(edge)).values())
        for (const r of rows) {
          const key = `${r.point}@${r.ts}`
          if (seen.has(key)) duplicates++
          seen.add(key)
        }
      expect(duplicates, `${edge}: samples stored twice`).toBe(0)
      expect(seen.size).toBeGreaterThan(0)
      // One alarm per episode: TK-101's HH alarms are one per scenario period, never two in one excursion.
      const raised = (
        await sql<{ raised: string; recovered: string | null }[]>`
          select raised_at::text as raised, recovered_at::text as recovered from alarms
          where point = ${pointId(edge, TK101)} and kind = 'HH' order by raised_at`
      ).map((r) => Number(r.raised))
      expect(raised.length, `${edge}: HH episodes`).toBeGreaterThan(0)
      for (let i = 1; i < raised.length; i++)
        expect(raised[i]! - raised[i - 1]!, `${edge}: two HH alarms in one excursion`).toBeGreaterThan(PERIOD_MS / 2)
    }
  }, 300_000)

  it('a third process started with a live replica’s id is refused: PL_REPLICA_ID_IN_USE, exit non-zero', async () => {
    const live = [...replicas].find(([, r]) => r.child.proc.exitCode === null && r.child.proc.signalCode === null)
    expect(live).toBeDefined()
    const [name] = live!
    const file = path.join(dir, `${name}-again.yaml`)
    writeFileSync(file, stringify(replicaConfig(name, await freePort(), `mqtt://127.0.0.1:${mosquitto.port}`, pg.url)))
    const again = startParklink(`${name}-again`, ['cloud', '--config', file])
    const code = await again.exited
    expect(code).not.toBe(0)
    expect(again.output()).toMatch(/PL_REPLICA_ID_IN_USE.*replica id "replica-[ab]"/)
    expect(again.output()).toMatch(/hint: give each replica its own cluster\.replicaId/)
    expect(again.output()).not.toMatch(/cloud API listening/)
  }, 60_000)
})
