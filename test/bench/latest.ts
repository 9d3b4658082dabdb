import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { serve } from '@hono/node-server'
import { createApp } from '../../cloud/api/app.ts'
import { createAccounts } from '../../cloud/auth/accounts.ts'
import { defaultAuthConfig } from '../../cloud/auth/config.ts'
import { createAuthService } from '../../cloud/auth/service.ts'
import { createLogger } from '../../cloud/log.ts'
import { createMetrics } from '../../cloud/metrics.ts'
import { openStore } from '../../cloud/store/open-store.ts'
import { StoreConfig } from '../../cloud/store/store-config.ts'
import type { Store } from '../../cloud/store/store.ts'
import { systemClock } from '../../shared/clock.ts'
import { createEvaluator } from '../../shared/rules/evaluate.ts'
import type { BenchEngine } from './engines.ts'
import { readings } from './outbox.ts'
import { quantile, result, times, type BenchResult } from './table.ts'

const POINTS = 10_000
const T0 = Date.UTC(2026, 0, 1)
const log = createLogger({ level: 'silent' })

/**
 * (15) `/points`: the latest value of 10 000 points as a user gets it: GET /api/v1/points on the
 * cloud's HTTP API (createApp: security headers, access control with an API key, the route, its
 * JSON) served on a loopback socket, every byte of the body received by an HTTP client; p99 over `runs`. The
 * points get their latest values as an edge sends them: one read of all 10 000, in batches of
 * 1 000, into a fresh store of `engine`.
 */
export async function benchLatest(engine: BenchEngine, dir: string, runs: number): Promise<BenchResult[]> {
  const dataDir = path.join(dir, `latest-${engine.name.toLowerCase()}`)
  mkdirSync(dataDir, { recursive: true })
  const fresh = await engine.freshStore()
  const store = await openStore(
    { store: StoreConfig.parse(fresh.config), dataDir },
    { evaluate: createEvaluator(), log, onCorrupt: () => {} },
  )
  try {
    await ingestLatest(store)
    const api = await serveApi(store)
    try {
      const listed = (JSON.parse(new TextDecoder().decode(await api.get('/api/v1/points'))) as unknown[]).length
      if (listed !== POINTS) throw new Error(`bench (${engine.name}): /points lists ${listed} points, not ${POINTS}`)
      const cpu = process.cpuUsage()
      const timings = await times(() => api.get('/api/v1/points'), runs)
      const { user, system } = process.cpuUsage(cpu)
      const what = `${engine.name}: GET /points latest of ${listed} points over HTTP`
      return [
        result(`${what}, p99 (auth, store, JSON, body read)`, quantile(timings, 0.99), 'ms', {
          target: { op: '<=', value: 50 },
        }),
        // The median beside it: on a shared 2-core machine the p99 is mostly the other load's.
        result(`${what}, p50`, quantile(timings, 0.5), 'ms'),
        // What the load cannot stretch: CPU per request of this process (the API and its client; not PostgreSQL's server).
        result(`${what}, CPU per request (cloud + client process)`, (user + system) / 1000 / (runs + 1), 'ms'),
      ]
    } finally {
      await api.close()
    }
  } finally {
    await store.close()
    await fresh.drop()
  }
}

async function ingestLatest(store: Store): Promise<void> {
  for (let round = 0; round < POINTS / 1_000; round++)
    await store.ingestBatch(
      {
        v: 1,
        edge: 'bench-latest',
        session: 'bench',
        outbox: 'bench-latest',
        seq: round + 1,
        floor: round + 1,
        samples: readings(POINTS, 1_000, round, T0),
      },
      { site: 'bench', receivedAt: T0, inOrder: true },
    )
}

/** The cloud's API on a free loopback port, a park_admin API key, and a GET that reads the whole body. */
async function serveApi(store: Store): Promise<{ get(route: string): Promise<Uint8Array>; close(): Promise<void> }> {
  const scrypt = { N: 2 ** 10, r: 8, p: 1 }
  const config = defaultAuthConfig
  const auth = createAuthService({
    store: store.auth,
    clock: systemClock,
    log,
    config,
    secret: randomBytes(32),
    scrypt,
  })
  const accounts = createAccounts(store.auth, config.password, scrypt)
  const { key } = await accounts.createApiKey({ name: 'bench-latest', role: 'park_admin' }, 'bench', T0)
  const app = createApp({ store, clock: systemClock, metrics: createMetrics(Date.now()), log, auth, accounts })
  const server = await new Promise<{ origin: string; close(): Promise<void> }>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) =>
      resolve({
        origin: `http://127.0.0.1:${info.port}`,
        close: () => new Promise<void>((done) => s.close(() => done())),
      }),
    )
  })
  return {
    async get(route) {
      const res = await fetch(`${server.origin}${route}`, { headers: { authorization: `Bearer ${key}` } })
      // The body's bytes, all of them: what the user's client then parses is the client's time, not the API's.
      const body = new Uint8Array(await res.arrayBuffer())
      if (res.status !== 200) throw new Error(`bench: GET ${route} answered ${res.status}`)
      return body
    },
    close: server.close,
  }
}
