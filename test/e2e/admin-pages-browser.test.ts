import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../cloud/api/app.ts'
import type { Role } from '../../cloud/auth/roles.ts'
import { createMetrics } from '../../cloud/metrics.ts'
import { systemClock } from '../../shared/clock.ts'
import { LEVEL, PRESSURE, TEST_PASSWORD, captureLogger, tempStore, testAuth } from '../cloud/helpers.ts'
import { HAS_CHROMIUM, launchBrowser } from '../util/browser.ts'
import { ensureDashboardBuilt, logIn, serveApp } from '../util/dashboard.ts'

const ACCOUNTS: Array<[string, Role, string?]> = [
  ['shilian-zhang', 'enterprise_user', 'shilian'],
  ['park-wang', 'park_admin'],
  ['sec-zhao', 'security_admin'],
  ['audit-qian', 'auditor'],
]

/**
 * Issue 17's management pages in Chromium, against the real cloud app (SQLite store, access
 * table, audit log): a maintenance window requested by an enterprise user and approved by the
 * park; the security administrator creating a user, disabling it and making an API key (shown
 * once, and it works); the auditor filtering the audit log; each role landing on its own page,
 * and a page the role may not see answered in zh-CN with a link back.
 */
describe.skipIf(!HAS_CHROMIUM)('the management pages in Chromium (skipped: /usr/bin/chromium is not installed)', () => {
  let dir: string
  let env: Awaited<ReturnType<typeof tempStore>>
  let server: Awaited<ReturnType<typeof serveApp>> | undefined
  let context: BrowserContext
  let page: Page
  let origin: string
  const hash = () => page.evaluate<string>('location.hash')

  beforeAll(async () => {
    ensureDashboardBuilt('tr[data-window] input[name=note]') // a build without these pages (or notes kept across a re-render) would fail for the wrong reason
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-admin-pages-'))
    env = await tempStore()
    const auth = testAuth(env.store, systemClock)
    for (const [username, role, enterprise] of ACCOUNTS)
      await auth.accounts.createUser(
        { username, role, password: TEST_PASSWORD, ...(enterprise ? { enterprise } : {}) },
        'test',
        Date.now(),
      )
    server = await serveApp(
      createApp({
        store: env.store,
        clock: systemClock,
        metrics: createMetrics(Date.now()),
        log: captureLogger().log,
        ...auth,
      }),
    )
    origin = server.origin
    context = await launchBrowser(dir)
    page = context.pages()[0] ?? (await context.newPage())
    await page.setViewportSize({ width: 1600, height: 900 })
  }, 120_000)

  afterAll(async () => {
    await context?.close()
    await server?.close()
    await env?.dispose()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('a maintenance window requested by an enterprise user and approved by the park', async () => {
    await logIn(page, origin, 'shilian-zhang')
    expect(await hash()).toBe('#/board') // the enterprise user lands on its board
    await page.goto(`${origin}/#/windows`)
    // Its own points only: another enterprise's point is not offered.
    await page.locator(`[data-testid=window-points] input[value="${LEVEL}"]`).check({ timeout: 5_000 })
    expect(await page.locator(`[data-testid=window-points] input[value="${PRESSURE}"]`).count()).toBe(0)
    await page.fill('[data-testid=window-request] textarea[name=reason]', '液位计校验')
    await page.click('[data-testid=window-request] button[type=submit]')
    const row = page.locator('tr[data-window]', { hasText: '液位计校验' })
    await row.waitFor({ timeout: 10_000 })
    const id = Number(await row.getAttribute('data-window'))
    expect(await row.getAttribute('data-status')).toBe('requested')
    expect(await row.locator('[data-decision=approve]').count()).toBe(0) // the enterprise cannot approve

    await logIn(page, origin, 'park-wang')
    await page.goto(`${origin}/#/windows`)
    await page.selectOption('[data-testid=windows-filter]', 'requested')
    const pending = page.locator(`tr[data-window="${id}"]`)
    await pending.locator('input[name=note]').fill('同意')
    await pending.locator('[data-decision=approve]').click()
    // Decided, it leaves the list of requested windows.
    await expect.poll(() => pending.count(), { timeout: 10_000 }).toBe(0)
    await page.selectOption('[data-testid=windows-filter]', 'approved')
    await expect.poll(() => page.textContent(`[data-testid=window-status-${id}]`), { timeout: 10_000 }).toBe('已批准')
    const stored = await env.store.getWindow(id, 'all')
    expect(stored).toMatchObject({ status: 'approved', points: [LEVEL], decidedBy: 'park-wang', decisionNote: '同意' })
    expect(stored?.requestedBy).toBe('shilian-zhang')
  })

  it('the security administrator creates a user, disables it, and makes an API key shown once', async () => {
    await logIn(page, origin, 'sec-zhao')
    expect(await hash()).toBe('#/users') // lands on its own page
    const form = page.locator('[data-testid=user-create]')
    await form.locator('input[name=new-username]').fill('shilian-li')
    await form.locator('input[name=displayName]').fill('李工')
    await form.locator('select[name=role]').selectOption('enterprise_user')
    await form.locator('input[name=enterprise]').fill('shilian')
    await form.locator('input[name=new-password]').fill(TEST_PASSWORD)
    await form.locator('button[type=submit]').click()
    const row = page.locator('tr[data-user=shilian-li]')
    await row.waitFor({ timeout: 10_000 })
    expect(await row.textContent()).toContain('企业用户')
    expect(await env.store.auth.findUser('shilian-li')).toMatchObject({
      role: 'enterprise_user',
      enterprise: 'shilian',
    })

    await row.locator('[data-change=disable]').click()
    await expect.poll(() => page.textContent('[data-testid=user-state-shilian-li]'), { timeout: 10_000 }).toBe('已停用')
    expect((await env.store.auth.findUser('shilian-li'))?.disabled).toBe(true)

    const keys = page.locator('[data-testid=key-create]')
    await keys.locator('input[name=key-name]').fill('bi-export')
    await keys.locator('select[name=role]').selectOption('auditor')
    await keys.locator('button[type=submit]').click()
    const key = (await page.locator('[data-testid=new-key]').textContent({ timeout: 10_000 })) ?? ''
    await page.locator('tr[data-key=bi-export]').waitFor()
    const me = await fetch(`${origin}/api/v1/auth/me`, { headers: { authorization: `Bearer ${key}` } })
    expect(me.status).toBe(200)
    // Only now: a reload shows the record, never the key.
    await page.reload()
    await page.locator('tr[data-key=bi-export]').waitFor()
    expect(await page.locator('[data-testid=new-key]').count()).toBe(0)
    expect(await page.textContent('body')).not.toContain(key)
  })

  it('the auditor filters the audit log by actor, action and time', async () => {
    // The security administrator's own steps, through the API (this test stands alone).
    const post = (route: string, token: string, body?: unknown) =>
      fetch(`${origin}${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body ?? {}),
      }).then((r) => r.json() as Promise<any>)
    const login = await post('/api/v1/auth/login', '', { username: 'sec-zhao', password: TEST_PASSWORD })
    const token = (login.tokens ?? login).accessToken as string
    const probe = await post('/api/v1/users', token, {
      username: 'audit-probe',
      role: 'technician',
      password: TEST_PASSWORD,
    })
    await post(`/api/v1/users/${probe.id}/disable`, token)
    await post('/api/v1/api-keys', token, { name: 'audit-probe-key', role: 'auditor' })

    await logIn(page, origin, 'audit-qian')
    expect(await hash()).toBe('#/audit')
    const rows = page.locator('[data-testid=audit] tbody tr')
    await rows.first().waitFor({ timeout: 10_000 })
    const filters = page.locator('[data-testid=audit-filters]')
    await filters.locator('input[name=actor]').fill('sec-zhao')
    await filters.locator('button[type=submit]').click()
    await expect
      .poll(async () => new Set(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-actor')))), {
        timeout: 10_000,
      })
      .toEqual(new Set(['sec-zhao']))
    const actions = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-action')))
    expect(actions).toContain('POST /api/v1/users')
    expect(actions).toContain('POST /api/v1/api-keys')

    await filters.locator('input[name=action]').fill('POST /api/v1/users/:id/disable')
    await filters.locator('button[type=submit]').click()
    await expect
      .poll(async () => new Set(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-action')))), {
        timeout: 10_000,
      })
      .toEqual(new Set(['POST /api/v1/users/:id/disable']))
    expect(await rows.first().textContent()).toContain(`user:${probe.id}`)

    // A range in the future: nothing.
    const later = new Date(Date.now() + 8 * 3_600_000 + 3_600_000).toISOString().slice(0, 16)
    await filters.locator('input[name=from]').fill(later)
    await filters.locator('button[type=submit]').click()
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(0)
    expect(await page.textContent('main')).toContain('无')
  })

  it('a page the role may not see: a zh-CN message and a link to its own page', async () => {
    // The auditor is logged in from the test before; log in again so the test stands alone.
    await logIn(page, origin, 'audit-qian')
    await page.goto(`${origin}/#/users`)
    await page.locator('[data-testid=no-access]').waitFor()
    expect(await page.textContent('[data-testid=no-access]')).toContain('当前角色（审计员）无权查看此页面')
    expect(await page.locator('nav a[href="#/users"]').count()).toBe(0) // not offered in the menu either
    await page.click('[data-testid=landing-link]')
    await page.locator('[data-testid=audit-filters]').waitFor()
    expect(await hash()).toBe('#/audit')
  })

  it('the audit log pages by 50, forward and back', async () => {
    const at = Date.now() - 3_600_000
    for (let i = 0; i < 60; i++)
      await env.store.auth.audit({ at: at + i, actor: 'page-probe', action: 'login', outcome: 'ok', target: `n:${i}` })
    await logIn(page, origin, 'audit-qian')
    const filters = page.locator('[data-testid=audit-filters]')
    await filters.locator('input[name=actor]').fill('page-probe')
    await filters.locator('button[type=submit]').click()
    const rows = page.locator('[data-testid=audit] tbody tr')
    const targets = () => rows.evaluateAll((els) => els.map((e) => e.children[3]?.textContent))
    // The filtered page, newest first (the unfiltered one shown before it has 50 rows too).
    await expect
      .poll(
        async () => {
          const shown = await targets()
          return [shown.length, shown[0]]
        },
        { timeout: 10_000 },
      )
      .toEqual([50, 'n:59'])
    await page.click('[data-page=next]')
    await expect.poll(targets, { timeout: 10_000 }).toEqual(Array.from({ length: 10 }, (_, i) => `n:${9 - i}`))
    expect(await page.locator('[data-page=next]').count()).toBe(0)
    await page.click('[data-page=prev]')
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(50)
    expect((await targets())[49]).toBe('n:10')
  })
})
