import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { count, eq } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Registry } from '../../config.ts'
import { createLogger } from '../../log.ts'
import { createEvaluator } from '../../../shared/rules/evaluate.ts'
import type { DataBatch } from '../../../shared/wire/messages.ts'
import type { Sample } from '../../../shared/wire/sample.ts'
import { startPostgres, type TestPostgres } from '../../../test/util/postgres.ts'
import { waitFor } from '../../../test/util/wait.ts'
import { openSnapshotFiles } from '../snapshot-files.ts'
import { type PgDb, openPostgres } from './db.ts'
import { pgIngestRepo, pgOutboxRepo, pgRegistryRepo } from './repos.ts'
import * as schema from './schema.ts'

/**
 * The PostgreSQL batch transaction against a real server: a connection lost mid-batch leaves
 * nothing half-stored and the resend is stored whole (issue 15, "Bad input"); and a batch costs
 * a small, fixed number of statements whatever its size (counted with postgres.js's debug hook).
 */
let server: TestPostgres
let db: PgDb
let dir: string
const log = createLogger({ level: 'silent' })
const T0 = Date.UTC(2025, 0, 31)
const EDGE = 'shilian-01'
const POINTS = Array.from({ length: 100 }, (_, i) => `shilian.tk${String(i).padStart(3, '0')}.level`)
const registry: Registry = {
  enterprises: [{ id: 'shilian', name: '实联化工' }],
  points: POINTS.map((id) => ({
    id,
    name: id,
    unit: 'm',
    enterprise: 'shilian',
    class: 'mhs' as const,
    limitsFromSource: false,
    limits: { hh: 10.5, h: 9.5, l: 2, ll: 1, deadband: 0.1 },
  })),
  edges: [],
  claimUnknownPoints: 'open',
}
const batch = (seq: number, samples: Sample[]): DataBatch => ({
  v: 1,
  edge: EDGE,
  session: 's-1',
  outbox: 'outbox-1a2b3c4d',
  seq,
  floor: 1,
  samples,
})
// 10 samples per point, inside the limits: the rules run on every point, no alarm is raised.
const samples = (from: number): Sample[] =>
  POINTS.flatMap((point, p) =>
    Array.from({ length: 10 }, (_, i) => ({
      point,
      ts: from + i * 1000,
      value: 5 + ((p + i) % 3),
      quality: 'good' as const,
    })),
  )

beforeAll(async () => {
  server = await startPostgres({ database: 'parklink_ingest' })
  db = await openPostgres({ url: server.url, max: 4 })
  dir = mkdtempSync(path.join(tmpdir(), 'parklink-pg-ingest-'))
  await pgRegistryRepo(db, { log }).applyRegistry(registry)
}, 120_000)

afterAll(async () => {
  await db?.$client.end({ timeout: 5 })
  await server?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const stored = async () => ({
  batches: (await db.select({ n: count() }).from(schema.batches))[0]!.n,
  blocks: (await db.select({ n: count() }).from(schema.sampleBlocks))[0]!.n,
  rollups: (await db.select({ n: count() }).from(schema.rollups1m))[0]!.n,
  ruleStates: (await db.select({ n: count() }).from(schema.ruleState))[0]!.n,
})

describe('PostgreSQL ingest', () => {
  it('a connection killed mid-batch: the promise rejects, nothing of the batch is stored, the resend is stored whole', async () => {
    const repo = pgIngestRepo(db, { log, evaluate: createEvaluator(), files: openSnapshotFiles(dir) })
    const admin = postgres(server.url, { max: 2, onnotice: () => {} })
    const held = await admin.reserve()
    try {
      // Hold the 1-min rollups: the batch writes its row and its samples block, then waits here.
      await held`begin`
      await held`lock table rollups_1m in share row exclusive mode`
      const b = batch(1, samples(T0))
      const pending = repo.ingestBatch(b, { site: 'huaian', receivedAt: T0, ackedThrough: 1 })
      const failed = pending.then(
        () => null,
        (err: unknown) => err,
      )
      const [waiting] = await waitFor(
        () =>
          admin<Array<{ pid: number }>>`
          select pid from pg_stat_activity
          where datname = current_database() and application_name = 'parklink-cloud' and wait_event_type = 'Lock'`.then(
            (rows) => (rows.length > 0 ? rows : null),
          ),
        { message: 'the batch never waited on the held lock' },
      )
      await admin`select pg_terminate_backend(${waiting!.pid})`
      expect(await failed).toBeInstanceOf(Error)
      await held`rollback`
      expect(await stored()).toEqual({ batches: 0, blocks: 0, rollups: 0, ruleStates: 0 })
      expect(await pgOutboxRepo(db).loadAckStates()).toEqual([])
      // The resend (the edge was never acked) is stored whole, on a fresh connection of the pool.
      expect(await repo.ingestBatch(b, { site: 'huaian', receivedAt: T0, ackedThrough: 1 })).toMatchObject({
        duplicate: false,
        samples: 1000,
      })
      expect(await stored()).toEqual({ batches: 1, blocks: 1, rollups: 100, ruleStates: 100 })
      expect((await pgOutboxRepo(db).loadAckStates())[0]).toMatchObject({ ackedThrough: 1 })
    } finally {
      held.release()
      await admin.end({ timeout: 5 })
    }
  })

  it('two replicas storing one key at once: one stores it, the other finds a duplicate or a conflict, never half of it', async () => {
    const files = openSnapshotFiles(dir)
    // Two repositories on the same database, as two cloud replicas (issue 16).
    const [a, b] = [0, 1].map(() => pgIngestRepo(db, { log, evaluate: createEvaluator(), files }))
    const meta = { site: 'huaian', receivedAt: T0 + 7_200_000 }
    const same = batch(20, samples(T0 + 7_200_000))
    const results = await Promise.all([a!.ingestBatch(same, meta), b!.ingestBatch(same, meta)])
    expect(results.map((r) => r.duplicate).sort()).toEqual([false, true])
    const other = { ...batch(21, samples(T0 + 7_300_000)) }
    const changed = { ...other, samples: other.samples.map((s) => ({ ...s, value: 1 })) }
    const raced = await Promise.all([a!.ingestBatch(other, meta), b!.ingestBatch(changed, meta)])
    expect(raced.filter((r) => r.conflict !== undefined)).toHaveLength(1)
    expect(raced.filter((r) => !r.duplicate && r.conflict === undefined && r.samples === 1000)).toHaveLength(1)
    const [row] = await db.select({ n: count() }).from(schema.sampleBlocks).where(eq(schema.sampleBlocks.seq, 21))
    expect(row!.n).toBe(1)
  })

  it('a 1 000-sample batch on 100 points with rules is a small, fixed number of statements', async () => {
    const statements: string[] = []
    const client = postgres(server.url, { max: 1, onnotice: () => {}, debug: (_c, query) => statements.push(query) })
    const counted = drizzle({ client, schema }) as PgDb
    try {
      const repo = pgIngestRepo(counted, { log, evaluate: createEvaluator(), files: openSnapshotFiles(dir) })
      // The point rows, rule states and rollup rows of a first batch exist: a steady-state batch next.
      await repo.ingestBatch(batch(10, samples(T0 + 3_600_000)), { site: 'huaian', receivedAt: T0 + 3_600_000 })
      statements.length = 0
      const r = await repo.ingestBatch(batch(11, samples(T0 + 3_610_000)), {
        site: 'huaian',
        receivedAt: T0 + 3_610_000,
        ackedThrough: 11,
      })
      expect(r).toMatchObject({ samples: 1000, raised: 0, duplicate: false })
      const perBatch = statements.length
      console.info(`PostgreSQL ingest: ${perBatch} statements for a 1 000-sample batch on 100 points with rules`)
      // Not one per sample nor per point: begin, lock, the key check, outbox, row, edge, mark,
      // block, 2 rollups, latest, windows, replay probe, facts, states, commit (and a few more).
      expect(perBatch, statements.join('\n')).toBeLessThanOrEqual(20)
    } finally {
      await client.end({ timeout: 5 })
    }
  })
})
