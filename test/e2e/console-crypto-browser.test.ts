import mqtt from 'mqtt'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { encode } from '../../shared/wire/codec.ts'
import { topic } from '../../shared/wire/topics.ts'
import { HAS_CHROMIUM, launchBrowser } from '../util/browser.ts'
import { startParklink, stopAll, type Child } from '../util/child.ts'
import { makeTestPki, type TestPki } from '../util/crypto-pki.ts'
import { createMosquitto, type Mosquitto } from '../util/mosquitto.ts'
import { freePort, waitForPort } from '../util/ports.ts'

/**
 * Issue 20 at the edge's local console: a real `parklink edge` with crypto.suite sm on a real
 * Mosquitto; a forged (plain, unsigned) ack published on its topic is refused by the edge and
 * shown to the technician, counted by reason, in Chinese and in English.
 */
const PASSWORD = 'Tk101-console!'
const SITE = 'huaian'
const EDGE = 'edge-01'

describe.skipIf(!HAS_CHROMIUM)(
  'console shows the cloud messages the edge refused (skipped: /usr/bin/chromium is not installed)',
  () => {
    let dir: string
    let pki: TestPki
    let broker: Mosquitto
    let brokerUrl: string
    let edge: Child
    let context: BrowserContext
    let page: Page
    let origin: string

    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'parklink-console-crypto-'))
      pki = makeTestPki()
      const files = pki.dirOf('edge', `${SITE}/${EDGE}`)
      const mqttPort = await freePort()
      broker = createMosquitto(mqttPort)
      await broker.start()
      brokerUrl = `mqtt://127.0.0.1:${mqttPort}`
      const port = await freePort()
      origin = `http://127.0.0.1:${port}`
      const file = path.join(dir, 'edge.yaml')
      writeFileSync(
        file,
        stringify({
          site: SITE,
          edge: EDGE,
          dataDir: './data',
          uplink: { url: brokerUrl, reconnectMinMs: 100, reconnectMaxMs: 500 },
          crypto: { suite: 'sm', key: `${files}/sm2.key`, cert: `${files}/sm2.crt`, ca: `${files}/sm2-ca.crt` },
          devices: [],
          console: { listen: `127.0.0.1:${port}`, passwordEnv: 'PARKLINK_CONSOLE_PASSWORD' },
        }),
      )
      edge = startParklink('edge', ['edge', '--config', file], { PARKLINK_CONSOLE_PASSWORD: PASSWORD })
      await waitForPort(port, 30_000).catch((err: Error) => {
        throw new Error(`${err.message}\n${edge.output()}`)
      })
      context = await launchBrowser(dir)
      page = context.pages()[0] ?? (await context.newPage())
    }, 90_000)

    afterAll(async () => {
      await context?.close()
      await stopAll()
      await broker?.dispose()
      pki?.dispose()
      rmSync(dir, { recursive: true, force: true })
    })

    const row = (key: string) => page.locator(`#uplink [data-key=${key}] td`).nth(1)

    it('counts a forged ack by reason, in Chinese, then in English', async () => {
      await page.goto(`${origin}/login`)
      await page.fill('input[name=password]', PASSWORD)
      await Promise.all([page.waitForLoadState(), page.click('button[type=submit]')])
      await expect.poll(() => row('cryptoSuite').textContent(), { timeout: 20_000 }).toBe('sm')
      // Connected first: the edge subscribes to its acks when it is.
      await expect.poll(() => row('state').textContent(), { timeout: 20_000 }).toBe('已连接')
      expect(await row('cryptoRefused').textContent()).toBe('0')

      const forger = await mqtt.connectAsync(brokerUrl, { reconnectPeriod: 0, clientId: 'forger' })
      const forged = { v: 1 as const, edge: EDGE, outbox: 'x', through: 1_000_000, ts: Date.now() }
      await forger.publishAsync(topic(SITE, EDGE, 'ack'), encode(forged), { qos: 1 })
      await forger.endAsync()

      await expect.poll(() => row('cryptoRefused').textContent(), { timeout: 20_000 }).toBe('1 (未签名 1)')
      expect(await page.locator('#uplink [data-key=cryptoRefused] td').first().textContent()).toBe(
        '云端消息验签拒收（确认/命令）',
      )
      expect(await row('cryptoRefused').getAttribute('class')).toBe('bad')
      await page.click('text=English')
      await expect.poll(() => row('cryptoRefused').textContent(), { timeout: 10_000 }).toBe('1 (unsigned 1)')
      expect(await page.locator('#uplink [data-key=cryptoSuite] td').first().textContent()).toBe(
        'Application-layer signing suite',
      )
    }, 90_000)
  },
)
