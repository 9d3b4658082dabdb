import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { startModbusSim, type ModbusSim } from '../sim/modbus-sim.ts'
import { HAS_CHROMIUM, launchBrowser } from '../util/browser.ts'
import { startParklink, stopAll, type Child } from '../util/child.ts'
import { freePort, waitForPort } from '../util/ports.ts'

/**
 * The edge's local console in Debian's Chromium (playwright-core, no browser download): a real
 * `parklink edge` process reading the Modbus simulator, its uplink down (no broker: a site
 * without its line), the console on a free loopback port. A wrong password is refused; after
 * logging in the page shows a live value and follows it when the PLC's value changes, and the
 * local alarm the edge raises by itself when the value crosses the park's limit.
 */
const PASSWORD = 'Tk101-console!'

describe.skipIf(!HAS_CHROMIUM)(
  'local console in Chromium (skipped: /usr/bin/chromium is not installed; apt-get install chromium)',
  () => {
    let dir: string
    let sim: ModbusSim
    let edge: Child
    let context: BrowserContext
    let page: Page
    let origin: string
    const requests: string[] = []

    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'parklink-console-browser-'))
      sim = await startModbusSim()
      sim.setValue('holding', 0, 4.25, 'float32')
      const port = await freePort()
      origin = `http://127.0.0.1:${port}`
      const file = path.join(dir, 'edge.yaml')
      writeFileSync(
        file,
        stringify({
          site: 'huaian',
          edge: 'shilian-01',
          dataDir: './data',
          uplink: { url: `mqtt://127.0.0.1:${await freePort()}`, reconnectMinMs: 200, reconnectMaxMs: 1000 },
          devices: [
            {
              id: 'dcs',
              kind: 'modbus-tcp',
              host: '127.0.0.1',
              port: sim.port,
              pollMs: 200,
              points: [{ id: 'tk101.level', name: '液氨储罐液位', unit: 'm', address: 'hr0', type: 'float32' }],
            },
          ],
          // The park's limit, evaluated at the edge while the uplink is down.
          alarms: { points: [{ id: 'tk101.level', limits: { h: 5 } }] },
          console: { listen: `127.0.0.1:${port}`, passwordEnv: 'PARKLINK_CONSOLE_PASSWORD' },
        }),
      )
      edge = startParklink('edge', ['edge', '--config', file], { PARKLINK_CONSOLE_PASSWORD: PASSWORD })
      await waitForPort(port, 20_000).catch((err: Error) => {
        throw new Error(`${err.message}\n${edge.output()}`)
      })
      context = await launchBrowser(dir)
      page = context.pages()[0] ?? (await context.newPage())
      page.on('request', (r) => requests.push(r.url()))
    }, 60_000)

    afterAll(async () => {
      await context?.close()
      await stopAll()
      await sim?.stop()
      rmSync(dir, { recursive: true, force: true })
    })

    const valueCell = () => page.locator('tr[data-point="tk101.level"] td.value')
    const login = async (password: string) => {
      await page.goto(`${origin}/login`)
      await page.fill('input[name=password]', password)
      await Promise.all([page.waitForLoadState(), page.click('button[type=submit]')])
    }

    it('refuses a wrong password and stays on the login page', async () => {
      await context.clearCookies() // not logged in, whatever ran before
      await page.goto(`${origin}/`)
      expect(new URL(page.url()).pathname).toBe('/login')
      await page.fill('input[name=password]', 'not-the-password')
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/login') && r.request().method() === 'POST'),
        page.click('button[type=submit]'),
      ])
      expect(response.status()).toBe(401)
      await expect.poll(() => page.locator('[role=alert]').textContent()).toContain('密码错误')
      expect(await page.locator('#values').count()).toBe(0)
    })

    it('logs in and shows the live value, following the PLC when it changes', async () => {
      await login('wrong-before-right') // each test stands alone: this one needs a refused login in the events too
      await login(PASSWORD)
      await page.waitForURL(`${origin}/?lang=zh-CN`)
      await expect.poll(() => valueCell().textContent(), { timeout: 15_000 }).toBe('4.25')
      expect(await page.locator('tr[data-point="tk101.level"]').getAttribute('data-quality')).toBe('good')
      sim.setValue('holding', 0, 5.5, 'float32')
      await expect.poll(() => valueCell().textContent(), { timeout: 15_000 }).toBe('5.5')
      // Over the H limit: a local alarm while offline.
      await expect
        .poll(() => page.locator('#alarms td').allTextContents(), { timeout: 10_000 })
        .toEqual(expect.arrayContaining(['H', 'tk101.level', '5.5', '5']))
      // Offline site: the uplink is shown down; the refused login is among the recent events.
      expect(await page.locator('#uplink [data-key=state] td').nth(1).textContent()).toBe('未连接')
      await expect
        .poll(() => page.locator('#events').textContent(), { timeout: 10_000 })
        .toContain('console login refused')
    })

    it('switches to English, and never asked anything of another host', async () => {
      await login(PASSWORD)
      await page.click('text=English')
      await expect.poll(() => page.locator('#values h2').textContent()).toBe('Live values')
      await expect.poll(() => valueCell().textContent(), { timeout: 15_000 }).toMatch(/^\d+(\.\d+)?$/)
      expect(await page.locator('tr[data-point="tk101.level"] td.quality').textContent()).toBe('good')
      expect(requests.length).toBeGreaterThan(3)
      expect(requests.filter((u) => !u.startsWith(origin))).toEqual([])
      expect(edge.output()).not.toContain(PASSWORD)
    })
  },
)
