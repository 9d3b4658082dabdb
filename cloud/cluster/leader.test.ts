import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import postgres from 'postgres'
import { captureLogger } from '../../test/cloud/helpers.ts'
import { freshDatabase, startTemplateCluster, type TestDatabase } from '../../test/util/pg-databases.ts'
import type { TestPostgres } from '../../test/util/postgres.ts'
import { waitFor } from '../../test/util/wait.ts'
import { systemClock } from '../../shared/clock.ts'
import { type Leadership, startLeadership } from './leader.ts'
import { pgLease } from './pg-lease.ts'

/**
 * Issue 16: the leader lease on a real PostgreSQL. Replicas compete for one session-level
 * advisory lock; exactly one runs the jobs, and when its session dies (killed by the server, as a
 * crashed host or a cut network ends it) it stops them and another takes over.
 */
let server: TestPostgres
let db: TestDatabase
const running: Leadership[] = []

beforeAll(async () => {
  server = await startTemplateCluster()
}, 120_000)
afterAll(async () => {
  await server?.stop()
})
afterEach(async () => {
  for (const l of running.splice(0)) await l.stop()
  await db?.drop()
})

/** A replica: its leadership and a count of the jobs it started and stopped. */
async function replica(name: string) {
  const jobs = { started: 0, stopped: 0, name }
  const leadership = await startLeadership({
    lock: pgLease({ url: db.url }),
    clock: systemClock,
    log: captureLogger().log,
    checkMs: 200,
    retryMs: 200,
    start: () => {
      jobs.started++
      return {
        stop: async () => {
          jobs.stopped++
        },
      }
    },
  })
  running.push(leadership)
  return { leadership, jobs }
}

/** Jobs running now across the replicas. */
const runningJobs = (rs: Array<{ jobs: { started: number; stopped: number } }>) =>
  rs.reduce((n, r) => n + r.jobs.started - r.jobs.stopped, 0)

describe('leader lease (PostgreSQL advisory lock on its own connection)', () => {
  it('two replicas competing: exactly one runs the jobs; when it stops, the other takes over', async () => {
    db = await freshDatabase(server.url)
    const rs = await Promise.all([replica('a'), replica('b')])
    expect(rs.filter((r) => r.leadership.leading)).toHaveLength(1)
    expect(runningJobs(rs)).toBe(1)
    const [leader, follower] = rs[0]!.leadership.leading ? [rs[0]!, rs[1]!] : [rs[1]!, rs[0]!]
    await leader.leadership.stop()
    expect(leader.jobs).toMatchObject({ started: 1, stopped: 1 })
    await waitFor(() => follower.leadership.leading, { timeoutMs: 15_000, message: 'the follower takes over' })
    expect(runningJobs(rs)).toBe(1)
  })

  it("the leader's connection dies: it stops its jobs at once and another replica takes over within the bound", async () => {
    db = await freshDatabase(server.url)
    const rs = await Promise.all([replica('a'), replica('b'), replica('c')])
    const leader = rs.find((r) => r.leadership.leading)!
    const admin = postgres(db.url, { max: 1, onnotice: () => {} })
    try {
      // The server ends the lease's session, as it does for a host that vanished.
      const killed = await admin`
        select pg_terminate_backend(pid) as ok from pg_stat_activity
        where application_name = 'parklink-cloud leader lease' and pid in (
          select pid from pg_locks where locktype = 'advisory' and granted and objid = 1 and objsubid = 2)`
      expect(killed).toHaveLength(1)
    } finally {
      await admin.end({ timeout: 2 })
    }
    await waitFor(() => leader.jobs.stopped === 1, { timeoutMs: 15_000, message: 'the old leader stops its jobs' })
    await waitFor(() => rs.some((r) => r !== leader && r.leadership.leading), {
      timeoutMs: 15_000,
      message: 'another replica takes over',
    })
    // Never two at once afterwards; the old leader may come back as a follower (or lead again once the other stops).
    expect(runningJobs(rs)).toBe(1)
    expect(rs.filter((r) => r.leadership.leading)).toHaveLength(1)
  })

  it('a replica started while another leads follows, and takes the lease once the leader stops', async () => {
    db = await freshDatabase(server.url)
    const first = await replica('a')
    expect(first.leadership.leading).toBe(true)
    const blocked = await replica('b')
    expect(blocked.leadership.leading).toBe(false)
    await first.leadership.stop()
    await waitFor(() => blocked.leadership.leading, { timeoutMs: 15_000, message: 'b takes over' })
    expect(blocked.jobs.started).toBe(1)
  })
})
