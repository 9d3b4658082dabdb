import postgres from 'postgres'
import { afterAll, beforeAll } from 'vitest'
import { runAuthTests } from '../../../test/conformance/store/auth.suite.ts'
import type { RepoFactoryOptions } from '../../../test/conformance/store/fixtures.ts'
import { runRegistryTests } from '../../../test/conformance/store/registry.suite.ts'
import { startPostgres, type TestPostgres } from '../../../test/util/postgres.ts'
import { createLogger } from '../../log.ts'
import { openPostgres } from './db.ts'
import { pgAuthStore, pgRegistryRepo, pgRegistryStore, verifyAuditChain } from './repos.ts'

/**
 * The store conformance sections the PostgreSQL engine has repositories for, on a real
 * PostgreSQL (Debian's, started for this file). Each test gets a fresh database cloned from a
 * template migrated once, so tests are independent and start fast; each is dropped after it.
 */
let server: TestPostgres
let admin: postgres.Sql
let n = 0
const TEMPLATE = 'parklink_template'

beforeAll(async () => {
  server = await startPostgres({ database: TEMPLATE })
  const migrated = await openPostgres({ url: server.url, max: 1 })
  await migrated.$client.end({ timeout: 5 })
  admin = postgres(server.url.replace(`/${TEMPLATE}`, '/postgres'), { max: 1, onnotice: () => {} })
}, 120_000)

afterAll(async () => {
  await admin?.end({ timeout: 5 })
  await server?.stop()
})

async function newRepos(o: RepoFactoryOptions) {
  const name = `conformance_${process.pid}_${++n}`
  await admin.unsafe(`create database "${name}" template "${TEMPLATE}"`)
  const db = await openPostgres({ url: server.url.replace(`/${TEMPLATE}`, `/${name}`), max: 4 })
  const repos = {
    auth: pgAuthStore(db),
    registry: pgRegistryStore(db),
    ...pgRegistryRepo(db, { log: createLogger({ level: 'silent' }), onAlarmChange: o.onAlarmChange }),
  }
  return {
    repos,
    verifyAuditChain: () => verifyAuditChain(db),
    dispose: async () => {
      await db.$client.end({ timeout: 5 })
      await admin.unsafe(`drop database "${name}" with (force)`)
    },
  }
}

runAuthTests({ name: 'postgres', newRepos })
runRegistryTests({ name: 'postgres', newRepos })
