import type { Hono } from 'hono'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { captureLogger, manualClock, signedIn, tempStore, testAuth, testKey } from '../../test/cloud/helpers.ts'
import type { Role } from '../auth/roles.ts'
import { CloudConfigSchema } from '../config.ts'
import { openExchange } from '../exchange/service.ts'
import { createMetrics } from '../metrics.ts'
import { createApp } from './app.ts'

/** GET /api/v1/exchange/status (issue 18): the park's admin, center and auditor; nobody else. */
const clock = manualClock()
let env: Awaited<ReturnType<typeof tempStore>>
let exchange: ReturnType<typeof openExchange>
let as: (role: Role, enterprise?: string) => Promise<Pick<Hono, 'request'>>

beforeEach(async () => {
  env = await tempStore()
  const config = CloudConfigSchema.parse({ dataDir: env.dir, mqtt: { url: 'mqtt://127.0.0.1:1883' } })
  exchange = openExchange({ config, store: env.store, clock })
  const auth = testAuth(env.store, clock)
  const app = createApp({
    store: env.store,
    clock,
    metrics: createMetrics(clock.now()),
    log: captureLogger().log,
    ...auth,
    exchange,
  })
  as = async (role, enterprise) => signedIn(app, await testKey(auth.accounts, role, enterprise))
})
afterEach(async () => {
  await exchange.close()
  await env.dispose()
})

describe('GET /api/v1/exchange/status', () => {
  it('shows the last run per data set and the rows held back, to the park roles only', async () => {
    await exchange.run()
    const res = await (await as('park_admin')).request('/api/v1/exchange/status')
    expect(res.status).toBe(200)
    const body = (await res.json()) as { lastRun: { datasets: Array<{ dataset: string }> }; heldBack: unknown }
    expect(body.lastRun.datasets.map((d) => d.dataset)).toEqual(['153', '152', '154', '93', '160'])
    expect(Array.isArray(body.heldBack)).toBe(true)
    for (const role of ['park_operator', 'auditor'] as const)
      expect((await (await as(role)).request('/api/v1/exchange/status')).status).toBe(200)
    for (const role of ['technician', 'security_admin'] as const)
      expect((await (await as(role)).request('/api/v1/exchange/status')).status).toBe(403)
    expect((await (await as('enterprise_admin', 'shilian')).request('/api/v1/exchange/status')).status).toBe(403)
  })
})
