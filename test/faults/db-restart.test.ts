import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPostgres, type TestPostgres } from '../util/postgres.ts'
import { restartDatabase, restartPlan } from './db-restart.ts'

describe("the 'restart the database' plan", () => {
  it('splits its one draw into a mode (a crash two times in three) and a pause of 0.5 to 4.5 s', () => {
    expect(restartPlan(0)).toEqual({ mode: 'immediate', pauseMs: 500 })
    expect(restartPlan(1 / 3)).toEqual({ mode: 'immediate', pauseMs: 2_500 })
    expect(restartPlan(2 / 3)).toEqual({ mode: 'fast', pauseMs: 500 })
    expect(restartPlan(0.999999)).toEqual({ mode: 'fast', pauseMs: 4_500 })
  })
})

/**
 * The fault on a real cluster under a stand-in for the cloud: a writer that stores seq after seq
 * and, when a write fails, notes the seq as not stored and tries it again (as the edge
 * redelivers an unacked batch). The fault must hold the server down until a write failed, find
 * crash recovery after an immediate stop, and see the writer store the failed seq afterwards.
 */
describe("the 'restart the database' fault", () => {
  let server: TestPostgres
  let sql: postgres.Sql
  let running = true
  let loop: Promise<void>
  const failedSeqs: number[] = []
  let acked = 0

  beforeAll(async () => {
    server = await startPostgres()
    sql = postgres(server.url, { max: 1, connect_timeout: 2, onnotice: () => {} })
    await sql`create table stored (seq integer primary key)`
    loop = (async () => {
      while (running) {
        try {
          await sql`insert into stored values (${acked + 1})`
          acked++
        } catch {
          failedSeqs.push(acked + 1)
        }
        await new Promise((r) => setTimeout(r, 50))
      }
    })()
  }, 120_000)

  afterAll(async () => {
    running = false
    await loop
    await sql?.end({ timeout: 5 })
    await server?.stop()
  })

  for (const u of [0.1, 0.9]) {
    const plan = restartPlan(u)
    it(`${plan.mode}: holds the server down until a write failed, then sees it stored`, async () => {
      const problems: string[] = []
      const said: string[] = []
      const before = failedSeqs.length
      await restartDatabase(
        {
          server,
          failedSeqs,
          acked: async () => acked,
          say: (l) => void said.push(l),
          problems,
        },
        plan,
      )
      expect(problems).toEqual([])
      expect(failedSeqs.length).toBeGreaterThan(before)
      expect(acked).toBeGreaterThanOrEqual(Math.max(...failedSeqs))
      expect(said.join('\n')).toContain(`(${plan.mode})`)
      const stored = (await sql<Array<{ n: number }>>`select count(*)::int as n from stored`)[0]!.n
      expect(stored).toBe(acked)
    }, 120_000)
  }
})
