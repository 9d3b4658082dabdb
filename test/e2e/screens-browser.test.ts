import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HAS_CHROMIUM, launchBrowser } from '../util/browser.ts'
import { ensureDashboardBuilt, logIn } from '../util/dashboard.ts'
import { USERS, startScreensFixture, type ScreensFixture } from '../screens/fixture.ts'

/**
 * Issue 17 in Chromium against the real cloud app with the screens fixture: a chattering
 * point's records grouped in the journal with their count and expandable; the cameras page with
 * an offline camera and the per-enterprise offline statistics; the wall placing an enterprise at
 * its registry coordinates over the uploaded plan image, and a placed offline camera lit.
 */
describe.skipIf(!HAS_CHROMIUM)(
  'cameras, chattering and the placed plan in Chromium (skipped: no /usr/bin/chromium)',
  () => {
    let dir: string
    let fx: ScreensFixture
    let context: BrowserContext
    let page: Page

    beforeAll(async () => {
      ensureDashboardBuilt('camera-offline-stats')
      dir = mkdtempSync(path.join(tmpdir(), 'parklink-screens-'))
      fx = await startScreensFixture()
      context = await launchBrowser(dir)
      page = context.pages()[0] ?? (await context.newPage())
      await page.setViewportSize({ width: 1600, height: 900 })
      await logIn(page, fx.origin, USERS.park_operator)
    }, 120_000)

    afterAll(async () => {
      await context?.close()
      await fx?.close()
      if (dir) rmSync(dir, { recursive: true, force: true })
    })

    it('groups the chattering level into one row with its count, and opens it to its records', async () => {
      await page.goto(`${fx.origin}/#/journal`)
      // Over both H and HH: a group per kind.
      const group = page.locator('tr.chatter[data-chatter="shilian.tk101.level"]').first()
      await group.waitFor()
      expect(Number(await group.getAttribute('data-count'))).toBeGreaterThanOrEqual(3)
      expect(await group.textContent()).toContain('振荡报警')
      expect(await page.locator('tr.chatter-member').count()).toBe(0)
      await group.locator('button.chatter-toggle').click()
      await page.locator('tr.chatter-member').first().waitFor()
      expect(await page.locator('tr.chatter-member').count()).toBeGreaterThanOrEqual(1)
      await group.locator('button.chatter-toggle').click()
      expect(await page.locator('tr.chatter-member').count()).toBe(0)
    })

    it('shows the offline camera and the offline statistics of its enterprise', async () => {
      await page.goto(`${fx.origin}/#/cameras`)
      const gate = page.locator('[data-camera="cam-gate"]')
      await gate.waitFor()
      expect(await gate.getAttribute('data-state')).toBe('offline')
      expect(await page.locator('[data-camera="cam-tank"]').getAttribute('data-state')).toBe('online')
      const row = page.locator('[data-testid=camera-offline-stats] tr[data-enterprise="shilian"]')
      await row.waitFor()
      expect(await row.locator('[data-stat=offline-now]').textContent()).toBe('1')
      expect(await row.locator('[data-stat=episodes]').textContent()).toBe('1')
      expect(await row.locator('[data-offline-camera="cam-gate"]').textContent()).toContain('北门摄像机')
      // 40 minutes offline in the last 24 h.
      expect(await row.locator('[data-stat=offline-time]').textContent()).toMatch(/^(39|40|41) 分钟$/)
    })

    it("shows a camera alarm's camera on the alarm page", async () => {
      const res = await fetch(`${fx.origin}/api/v1/alarms?kind=OFFLINE&state=all`, {
        headers: { authorization: `Bearer ${fx.adminToken}` },
      })
      const offline = ((await res.json()) as Array<{ id: number; point: string }>).find(
        (a) => a.point === 'camera:cam-gate',
      )
      expect(offline).toBeDefined()
      await page.goto(`${fx.origin}/#/alarms/${offline!.id}`)
      const card = page.locator('[data-testid=area-cameras] [data-camera="cam-gate"]')
      await card.waitFor()
      expect(await card.getAttribute('data-state')).toBe('offline')
      // A camera has no values: no trend around its alarm (pages/alarm-trend.ts).
      await page.waitForSelector('.timeline li')
      expect(await page.locator('[data-testid=alarm-trend] *').count()).toBe(0)
    })

    it('places the enterprise at its registry coordinates over the uploaded plan, and lights the offline camera', async () => {
      await page.setViewportSize({ width: 1920, height: 1080 })
      await page.goto(`${fx.origin}/wall`)
      const ent = page.locator('.plan-svg g.ent[data-enterprise="shilian"]')
      await ent.waitFor()
      await page.locator('.plan-svg image.plan-image').waitFor({ state: 'attached' })
      expect(await page.locator('.plan-svg image.plan-image').getAttribute('href')).toMatch(/^blob:/)
      // x 0.25, y 0.28 of the 1000×560 plan.
      expect(await ent.getAttribute('data-cx')).toBe('250')
      expect(await ent.getAttribute('data-cy')).toBe(String(Math.round(0.28 * 560)))
      const cam = page.locator('.plan-svg g.cam[data-camera="cam-gate"]')
      await cam.waitFor()
      expect(await cam.getAttribute('data-offline')).toBe('true')
      expect(await cam.getAttribute('class')).toMatch(/cam-offline/)
    })
  },
)
