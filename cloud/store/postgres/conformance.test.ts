import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { pgInspect } from '../../../test/cloud/pg-ingest-inspect.ts'
import { pgRetentionRepos } from '../../../test/cloud/pg-retention-handle.ts'
import { pgStoreHandle } from '../../../test/cloud/pg-store-handle.ts'
import { runStoreTests } from '../../../test/conformance/store.suite.ts'
import { LEVEL, type RepoFactoryOptions, registry, T0 } from '../../../test/conformance/store/fixtures.ts'
import { runIngestTests } from '../../../test/conformance/store/ingest.suite.ts'
import { runRetentionTests } from '../../../test/conformance/store/retention.suite.ts'
import { freshDatabase, startTemplateCluster } from '../../../test/util/pg-databases.ts'
import type { TestPostgres } from '../../../test/util/postgres.ts'
import { waitFor } from '../../../test/util/wait.ts'
import { openPostgres } from './db.ts'
import { verifyAuditChain } from './repos.ts'
import { maintenanceWindows } from './schema.ts'

/**
 * The store conformance suite on the PostgreSQL engine (issue 15: "written once, run twice"): the
 * whole Store (openPostgresStore) through every section and the cross-aggregate tests, the ingest
 * and retention sections, and what only PostgreSQL's concurrency can show. On a real PostgreSQL
 * (Debian's, started for this file); each test gets a fresh database copied from a template
 * migrated once, so tests are independent and start fast.
 */
let server: TestPostgres
let template = ''

beforeAll(async () => {
  server = await startTemplateCluster()
  template = server.url
}, 120_000)
afterAll(async () => {
  await server?.stop()
})

const newStore = (o: RepoFactoryOptions) => pgStoreHandle(template, o)

runStoreTests({ name: 'postgres', newStore })

runIngestTests({
  name: 'postgres',
  newRepos: async (o) => {
    const h = await newStore(o)
    return { repos: h.store, inspect: pgInspect(h.db), verifyAuditChain: h.verifyAuditChain, dispose: h.dispose }
  },
})

runRetentionTests({
  name: 'postgres',
  newRepos: async () => {
    const database = await freshDatabase(template)
    const db = await openPostgres({ url: database.url, max: 4 })
    return {
      repos: pgRetentionRepos(db),
      verifyAuditChain: () => verifyAuditChain(db),
      dispose: async () => {
        await db.$client.end({ timeout: 5 })
        await database.drop()
      },
    }
  },
})

describe('postgres: a window decision reads the window FOR UPDATE', () => {
  let handle: Awaited<ReturnType<typeof newStore>>
  beforeEach(async () => {
    handle = await newStore({})
    await handle.store.applyRegistry(registry)
  })
  afterEach(() => handle.dispose())

  it('two decisions waiting on one window: the first decides, the second sees its commit and is refused', async () => {
    const { store: repos, db } = handle
    const req = await repos.requestWindow(
      { enterprise: 'shilian', points: [LEVEL], from: T0, to: T0 + 60_000, reason: 'r', by: 'e' },
      T0 - 1000,
      'all',
    )
    if (!req.ok) throw new Error(req.message)
    const id = req.window.id
    // A third party holds the row: both decisions must queue behind it, then behind each other.
    let release = () => {}
    const held = new Promise<void>((resolve) => (release = resolve))
    const holder = db.transaction(async (tx) => {
      await tx.select().from(maintenanceWindows).for('update')
      await held
    })
    const waiting = async () =>
      Number(
        (
          await db.$client`select count(*) as n from pg_stat_activity
            where wait_event_type = 'Lock' and datname = current_database()`
        )[0]!.n,
      )
    const decisions = Promise.all([
      repos.decideWindow(id, { decision: 'approve', by: 'park-a' }, T0 - 500, 'all'),
      repos.decideWindow(id, { decision: 'reject', by: 'park-b' }, T0 - 500, 'all'),
    ])
    await waitFor(async () => ((await waiting()) === 2 ? true : null), { timeoutMs: 30_000 })
    release()
    await holder
    const outcomes = await decisions
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1)
    expect(outcomes.find((o) => !o.ok)).toMatchObject({ ok: false, code: 'STATE_CONFLICT' })
    const winner = outcomes.find((o) => o.ok)!
    expect((await repos.getWindow(id, 'all'))?.status).toBe(winner.ok ? winner.window.status : 'none')
  })
})
