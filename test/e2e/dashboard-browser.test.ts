import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAlarmFeed } from '../../cloud/alarms/feed.ts'
import { createApp } from '../../cloud/api/app.ts'
import { createMetrics } from '../../cloud/metrics.ts'
import { systemClock } from '../../shared/clock.ts'
import {
  LEVEL,
  NH3,
  PRESSURE,
  TEST_PASSWORD,
  batch,
  captureLogger,
  good,
  tempStore,
  testAuth,
} from '../cloud/helpers.ts'
import { HAS_CHROMIUM, launchBrowser } from '../util/browser.ts'
import { ensureDashboardBuilt, logIn, serveApp } from '../util/dashboard.ts'
import { waitFor } from '../util/wait.ts'

/**
 * The monitoring center's dashboard in Debian's Chromium, against a real cloud app on a free
 * port (SQLite store, the access table, the live alarm feed) into which the test ingests the
 * edges' batches: log in, watch a live value change, see an alarm reach the board without a
 * reload, acknowledge it; then, as another enterprise's user, see none of it.
 */
describe.skipIf(!HAS_CHROMIUM)(
  'the dashboard in Chromium (skipped: /usr/bin/chromium is not installed; apt-get install chromium)',
  () => {
    let dir: string
    let env: Awaited<ReturnType<typeof tempStore>>
    let server: Awaited<ReturnType<typeof serveApp>> | undefined
    let context: BrowserContext
    let page: Page
    let origin: string
    let seq = 0
    // What the Content-Security-Policy refused, from the page's securitypolicyviolation events and the console.
    const violations: string[] = []
    const cspConsole: string[] = []
    const send = (point: string, value: number) =>
      env.store.ingestBatch(batch(++seq, [good(point, Date.now(), value)]), { site: 'huaian', receivedAt: Date.now() })

    beforeAll(async () => {
      ensureDashboardBuilt()
      dir = mkdtempSync(path.join(tmpdir(), 'parklink-dashboard-browser-'))
      const feed = createAlarmFeed()
      env = await tempStore(undefined, (change) => feed.publish(change))
      const auth = testAuth(env.store, systemClock)
      const now = Date.now()
      await auth.accounts.createUser(
        { username: 'center-li', role: 'park_operator', password: TEST_PASSWORD },
        'test',
        now,
      )
      await auth.accounts.createUser(
        { username: 'fuqiang-wu', role: 'enterprise_user', enterprise: 'fuqiang', password: TEST_PASSWORD },
        'test',
        now,
      )
      const app = createApp({
        store: env.store,
        clock: systemClock,
        metrics: createMetrics(now),
        log: captureLogger().log,
        alarmFeed: feed,
        ...auth,
      })
      server = await serveApp(app)
      origin = server.origin
      // TK-101 belongs to a level-1 major hazard source in the registry: the tree groups by it.
      await env.store.registry.create('hazardSources', {
        id: 'shilian-nh3-tanks',
        enterprise: 'shilian',
        name: '液氨罐区',
        level: 1,
      })
      await env.store.registry.patchPoint(LEVEL, { hazardSource: 'shilian-nh3-tanks' })
      await send(LEVEL, 6.0)
      await send(PRESSURE, 0.5)
      context = await launchBrowser(dir)
      // A binding and an init script reach every document the test opens (both run outside the page's CSP).
      await context.exposeBinding('__reportCsp', (_source, v: string) => void violations.push(v))
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the init script is page source with its own template literal
      await context.addInitScript({
        content:
          "document.addEventListener('securitypolicyviolation', (e) => void window.__reportCsp(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`))",
      })
      page = context.pages()[0] ?? (await context.newPage())
      page.on('console', (m) => {
        if (/Content.Security.Policy|Refused to/i.test(m.text())) cspConsole.push(m.text())
      })
    }, 120_000)

    afterAll(async () => {
      await context?.close()
      await server?.close()
      await env?.dispose()
      if (dir) rmSync(dir, { recursive: true, force: true })
    })

    const login = (username: string) => logIn(page, origin, username)

    it('refuses a wrong password, in Chinese by default', async () => {
      await page.goto(`${origin}/`)
      await page.fill('input[name=username]', 'center-li')
      await page.fill('input[name=password]', 'not-the-password')
      await page.click('button[type=submit]')
      await expect.poll(() => page.textContent('[role=alert]')).toMatch(/登录失败/)
    })

    it('an operator sees a live value change, an alarm arrive on the board without a reload, and acknowledges it', async () => {
      await login('center-li')
      await page.goto(`${origin}/#/points`)
      const cell = `[data-testid="value-${LEVEL}"]`
      await expect.poll(() => page.textContent(cell), { timeout: 10_000 }).toBe('6 m')
      await expect.poll(() => page.locator(`[data-group="重大危险源 液氨罐区 (1)"] ${cell}`).count()).toBe(1)
      await send(LEVEL, 7.25)
      await expect.poll(() => page.textContent(cell), { timeout: 10_000 }).toBe('7.25 m')

      await page.click('header nav a[href="#/board"]')
      await expect.poll(() => page.textContent('[data-testid=stream-state]'), { timeout: 10_000 }).toMatch(/实时/)
      const before = page.url()
      await send(LEVEL, 10.8) // over HH (10.5) and H (9.5): two alarms, S and A on this MHS point
      const card = page.locator('[data-zone=onScreen] .card', { hasText: 'HH' })
      await card.waitFor({ timeout: 10_000 })
      expect(page.url()).toBe(before)
      expect(await page.locator('[data-zone=onScreen] .card').count()).toBe(2)
      // An S alarm pops up.
      await expect.poll(() => page.locator('.popup').count()).toBeGreaterThan(0)

      await card.click()
      await page.click('button[data-action=ack]')
      await expect
        .poll(() => page.textContent('[data-testid=alarm-state]'), { timeout: 10_000 })
        .toMatch(/确认 center-li/)
      await page.waitForSelector('.timeline li[data-action=ack]')
    })

    it("another enterprise's user sees none of it", async () => {
      await page.click('header button:has-text("退出")')
      await login('fuqiang-wu')
      await page.goto(`${origin}/#/points`)
      await page.waitForSelector(`[data-testid="value-${PRESSURE}"]`)
      expect(await page.locator(`[data-testid="value-${LEVEL}"]`).count()).toBe(0)
      expect(await page.textContent('.tree')).not.toMatch(/shilian|实联/)
      await page.goto(`${origin}/#/board`)
      await expect.poll(() => page.textContent('[data-testid=stream-state]'), { timeout: 10_000 }).toMatch(/实时/)
      expect(await page.locator('.card').count()).toBe(0)
      // The shilian alarm by its address: unknown to this user.
      const [alarm] = await env.store.listAlarms({ scope: 'all', state: 'all', limit: 1 })
      await page.goto(`${origin}/#/alarms/${alarm!.id}`)
      await expect.poll(() => page.textContent('main'), { timeout: 10_000 }).toMatch(/不存在/)
    })

    it('runs under the Content-Security-Policy with no violation (trend chart and API description included)', async () => {
      await login('center-li')
      await page.goto(`${origin}/#/points/${encodeURIComponent(LEVEL)}`)
      await page.waitForSelector('canvas', { timeout: 10_000 }) // uPlot's chart
      const res = await page.goto(`${origin}/api/v1/docs`)
      expect(res!.headers()['content-security-policy']).toMatch(/^default-src 'none'; style-src 'sha256-/)
      // The description's one stylesheet is allowed by its hash: it applies.
      expect(await page.evaluate('getComputedStyle(document.body).maxWidth')).not.toBe('none')
      const home = await page.goto(`${origin}/`)
      expect(home!.headers()).toMatchObject({
        'x-frame-options': 'DENY',
        'x-content-type-options': 'nosniff',
        'content-security-policy': expect.stringMatching(/script-src 'self';.*frame-ancestors 'none'/),
      })
      await page.waitForSelector('[data-testid=who]')
      expect(violations).toEqual([])
      expect(cspConsole).toEqual([])
    })

    it('shows a chattering alarm as one card with its repeat count (ISA-18.2 §16.6)', async () => {
      // GT-101 across H (20 ppm) four times within a minute: the third raise latches, the fourth is counted on it.
      const t0 = Date.now()
      for (const [i, v] of [30, 5, 30, 5, 30, 5, 30].entries())
        await env.store.ingestBatch(batch(++seq, [good(NH3, t0 + i * 1_000, v)]), {
          site: 'huaian',
          receivedAt: Date.now(),
        })
      await login('center-li')
      await page.goto(`${origin}/#/board`)
      const card = page.locator('[data-zone=onScreen] .card', { hasText: `${NH3} · H ` })
      await expect.poll(() => card.count(), { timeout: 10_000 }).toBe(1)
      await expect.poll(() => card.locator('.repeats').textContent()).toBe('频繁报警：已合并重复 1 次')
    })

    it('speaks English on request', async () => {
      await page.click('header button:has-text("English")')
      await expect.poll(() => page.textContent('header nav')).toMatch(/Alarm board/)
    })

    // Last: it leaves 127.0.0.1 throttled for the rest of this file.
    it('a throttled login says so in Chinese, with the wait', async () => {
      const wrong = () =>
        fetch(`${origin}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'center-li', password: 'not-the-password' }),
        })
      await waitFor(async () => (await wrong()).status === 429, { message: 'the address to be throttled' })
      await page.goto(`${origin}/?lang=zh-CN#/login`)
      await page.fill('input[name=username]', 'center-li')
      await page.fill('input[name=password]', TEST_PASSWORD)
      await page.click('button[type=submit]')
      await expect.poll(() => page.textContent('[role=alert]')).toMatch(/登录失败: 登录失败次数过多，请 \d+ 秒后再试/)
    })
  },
)
