import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../cloud/api/app.ts'
import { createMetrics } from '../../cloud/metrics.ts'
import { systemClock } from '../../shared/clock.ts'
import { ChatterConfig } from '../../shared/rules/chatter.ts'
import { defaultPriorityMatrix } from '../../shared/rules/priority.ts'
import { signingKeyOf } from '../../shared/wire/bundle-signature.ts'
import type { CommandBody, CommandResponse } from '../../shared/wire/command.ts'
import { TEST_PASSWORD, birth, captureLogger, tempStore, testAuth } from '../cloud/helpers.ts'
import { HAS_CHROMIUM, launchBrowser } from '../util/browser.ts'
import { ensureDashboardBuilt, logIn, serveApp } from '../util/dashboard.ts'

/**
 * The fleet page (#/edges) in Chromium (issues 17, 19): an edge running another config hash than
 * the park expects is shown drifting; a config push from the page shows the edge's answer. The
 * edge's side of the command channel is answered by the test (the MQTT path is
 * test/e2e/config-push.test.ts).
 */
describe.skipIf(!HAS_CHROMIUM)('the fleet page in Chromium (skipped: /usr/bin/chromium is not installed)', () => {
  let dir: string
  let env: Awaited<ReturnType<typeof tempStore>>
  let server: Awaited<ReturnType<typeof serveApp>> | undefined
  let context: BrowserContext
  let page: Page
  const sent: CommandBody[] = []

  beforeAll(async () => {
    ensureDashboardBuilt('fleetPush')
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-fleet-browser-'))
    env = await tempStore()
    const auth = testAuth(env.store, systemClock)
    await auth.accounts.createUser(
      { username: 'admin-li', role: 'park_admin', password: TEST_PASSWORD },
      'test',
      Date.now(),
    )
    const now = Date.now()
    await env.store.recordBirth('huaian', { ...birth('s-1', { ts: now }), configHash: 'aaaaaaaaaaaa-running' }, now)
    await env.store.recordBundlePush('shilian-01', {
      issuedAt: now - 1,
      configYaml: 'site: huaian\n',
      at: now,
      by: 'admin-li',
    })
    await env.store.recordBundleAnswer('shilian-01', now - 1, {
      outcome: 'applied',
      configHash: 'bbbbbbbbbbbb-expected',
      error: null,
      at: now,
    })
    const key = generateKeyPairSync('ec', { namedCurve: 'SM2' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString()
    const app = createApp({
      store: env.store,
      clock: systemClock,
      metrics: createMetrics(now),
      log: captureLogger().log,
      ...auth,
      bundles: { signer: signingKeyOf(key), priorities: defaultPriorityMatrix, chatter: ChatterConfig.parse({}) },
      commandEdge: (_site, edge, cmd) => {
        sent.push(cmd)
        const response: CommandResponse = {
          v: 1,
          id: 'x',
          edge,
          ts: Date.now(),
          ok: false,
          result: { type: 'config.push', outcome: 'rolled-back', configHash: 'aaaaaaaaaaaa-running', issuedAt: 0 },
          error: { code: 'PL_BUNDLE_ROLLED_BACK', message: 'driver plc: cannot start' },
        }
        return Promise.resolve(response)
      },
    })
    server = await serveApp(app)
    context = await launchBrowser(dir)
    page = context.pages()[0] ?? (await context.newPage())
  }, 120_000)

  afterAll(async () => {
    await context?.close()
    await server?.close()
    await env?.dispose()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('shows drift for an edge whose running hash differs, and the answer to a push in Chinese', async () => {
    await logIn(page, server!.origin, 'admin-li')
    await page.goto(`${server!.origin}/#/edges`)
    const row = page.locator('tr[data-edge="shilian-01"]')
    await expect.poll(() => row.locator('[data-drift]').getAttribute('data-drift'), { timeout: 10_000 }).toBe('true')
    expect(await row.textContent()).toContain('配置漂移')
    expect(await row.textContent()).toContain('bbbbbbbbbbbb')

    page.once('dialog', (d) => void d.accept('site: huaian\nedge: shilian-01\n'))
    await row.locator('button[data-action="push"]').click()
    const answer = page.locator('[data-answer="shilian-01"]')
    await expect.poll(() => answer.textContent(), { timeout: 10_000 }).toContain('已回滚')
    expect(sent).toHaveLength(1)
    expect(sent[0]).toMatchObject({ type: 'config.push', bundle: { alg: 'sm2-sm3' } })
  }, 60_000)
})
