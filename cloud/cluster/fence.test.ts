import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { systemClock } from '../../shared/clock.ts'
import { ErrorCodes } from '../../shared/errors.ts'
import { createEvaluator } from '../../shared/rules/evaluate.ts'
import type { DataBatch } from '../../shared/wire/messages.ts'
import { startPostgres, type TestPostgres } from '../../test/util/postgres.ts'
import { waitFor } from '../../test/util/wait.ts'
import { createLogger } from '../log.ts'
import { openStore } from '../store/open-store.ts'
import { StoreConfig } from '../store/store-config.ts'
import type { Store } from '../store/store.ts'
import { createLeaseSession, type LeaseSession } from './lease-session.ts'

/**
 * Issue 16, "two replicas that both think they own an edge → impossible by construction": two
 * replicas' stores on one PostgreSQL, each fenced by its own lock session. The ingest gate is
 * bypassed (ingestBatch called directly, as a replica would that wrongly believed it owned the
 * edge): only the holder of the edge's lock commits; after the holder's session dies, its writes
 * are refused and the other replica's take. A replica id in use is refused with its code.
 */
const log = createLogger({ level: 'silent' })
const EDGE = 'fence-01'
let server: TestPostgres
let dir: string
const opened: Array<{ close(): Promise<void> }> = []

const batch = (seq: number): DataBatch => ({
  v: 1,
  edge: EDGE,
  session: 's-1',
  outbox: 'outbox-fence0001',
  seq,
  floor: 1,
  samples: [{ point: 'fence.p1', ts: Date.UTC(2026, 0, 1) + seq * 1000, value: seq, quality: 'good' }],
})
const meta = (seq: number) => ({
  site: 'fence',
  receivedAt: Date.now(),
  inOrder: true,
  ackedThrough: seq,
  hash: `h${seq}`,
})

function session(replicaId: string): LeaseSession {
  const s = createLeaseSession({
    url: server.url,
    replicaId,
    heartbeatMs: 200,
    leaseTimeoutMs: 5_000,
    clock: systemClock,
    log,
  })
  opened.push(s)
  return s
}

async function replicaStore(lease: LeaseSession): Promise<Store> {
  const store = await openStore(
    { store: StoreConfig.parse({ engine: 'postgres', url: server.url, poolSize: 2 }), dataDir: dir },
    { evaluate: createEvaluator(), log, fence: (tx, edge) => lease.fence(tx, edge) },
  )
  opened.push(store)
  return store
}

beforeAll(async () => {
  server = await startPostgres({ database: 'parklink_fence' })
  dir = mkdtempSync(path.join(tmpdir(), 'parklink-fence-'))
}, 120_000)
afterAll(async () => {
  for (const o of opened.reverse()) await o.close().catch(() => {})
  await server?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('edge ownership across replicas on PostgreSQL', () => {
  it('only the lock holder commits; after its session dies the other replica takes over', async () => {
    const a = session('replica-a')
    const b = session('replica-b')
    await a.start()
    await b.start()
    const storeA = await replicaStore(a)
    const storeB = await replicaStore(b)

    expect(await a.claim(EDGE)).toBe(true)
    expect(await b.claim(EDGE)).toBe(false)
    // B believes it owns the edge anyway: its batch transaction is fenced and rolls back.
    await expect(storeB.ingestBatch(batch(1), meta(1))).rejects.toMatchObject({ code: ErrorCodes.EDGE_NOT_OWNED })
    expect((await storeA.ingestBatch(batch(1), meta(1))).samples).toBe(1)
    await expect(storeB.ingestBatch(batch(2), meta(2))).rejects.toMatchObject({ code: ErrorCodes.EDGE_NOT_OWNED })

    // A's lock session ends (as when its process is killed): A is told, and can no longer commit.
    let lost = false
    a.onLost(() => {
      lost = true
    })
    const admin = postgres(server.url, { max: 1, onnotice: () => {} })
    try {
      await admin`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'parklink-replica:replica-a'`
    } finally {
      await admin.end()
    }
    await waitFor(() => lost, { timeoutMs: 10_000, message: 'replica A was not told its session ended' })
    await expect(storeA.ingestBatch(batch(2), meta(2))).rejects.toMatchObject({ code: ErrorCodes.EDGE_NOT_OWNED })
    expect(await b.claim(EDGE)).toBe(true)
    expect((await storeB.ingestBatch(batch(2), meta(2))).samples).toBe(1)
    // A opens a new session on its next claim, but the edge is B's now.
    expect(await a.claim(EDGE)).toBe(false)
    await expect(storeA.ingestBatch(batch(3), meta(3))).rejects.toMatchObject({ code: ErrorCodes.EDGE_NOT_OWNED })

    const states = await storeB.loadAckStates(EDGE)
    expect(states.map((s) => s.ackedThrough)).toEqual([2])
  }, 60_000)

  it('a replica id another live replica holds is refused with PL_REPLICA_ID_IN_USE and a hint', async () => {
    const first = session('replica-same')
    await first.start()
    const second = session('replica-same')
    const refused = await second.start().then(
      () => null,
      (err: unknown) => err,
    )
    expect(refused).toMatchObject({ code: ErrorCodes.REPLICA_ID_IN_USE })
    expect((refused as Error).message).toMatch(/replica id "replica-same".*parklink-replica:replica-same/)
    expect((refused as { hint: string }).hint).toMatch(/cluster\.replicaId/)
    // Once the first one is gone, the id is free again.
    await first.close()
    const third = session('replica-same')
    await third.start()
  }, 60_000)
})
