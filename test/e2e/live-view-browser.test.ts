import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pino from 'pino'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../cloud/api/app.ts'
import { createMetrics } from '../../cloud/metrics.ts'
import { createViewerAdmission, type ViewerAdmission } from '../../edge/live/admission.ts'
import { startLiveRelay, type LiveRelay } from '../../edge/live/relay.ts'
import { systemClock } from '../../shared/clock.ts'
import { signViewerToken } from '../../shared/wire/live-token.ts'
import { TEST_PASSWORD, birth, captureLogger, tempStore, testAuth } from '../cloud/helpers.ts'
import { startRtspSource, type RtspSource } from '../sim/rtsp-source.ts'
import { stopAll } from '../util/child.ts'
import { HAS_CHROMIUM, launchBrowser } from '../util/browser.ts'
import { ensureDashboardBuilt, logIn, serveApp } from '../util/dashboard.ts'
import { waitFor } from '../util/wait.ts'

/**
 * 实时画面 in Chromium (issue 17): the cloud app with its live-view key and the relay's origin in
 * live.dashboardOrigins; a real edge relay (edge/live/relay.ts: ffmpeg, RTSP from GStreamer's test
 * pattern) that trusts that key and the dashboard's origin; a camera whose edge announced the
 * relay in its birth. The operator opens the live view on the cameras page and sees frames drawn
 * (the canvas shows many colours); a second camera over the relay's limit is refused in zh-CN; a
 * camera whose edge announced no relay says so; closing the dialog closes the socket.
 */
describe.skipIf(!HAS_CHROMIUM)('live view in the dashboard, in Chromium (skipped: no /usr/bin/chromium)', () => {
  let dir: string
  let env: Awaited<ReturnType<typeof tempStore>>
  let server: Awaited<ReturnType<typeof serveApp>> | undefined
  let rtsp: RtspSource
  let relay: LiveRelay
  let context: BrowserContext | undefined
  let page: Page
  const key = generateKeyPairSync('ed25519')
  const consoleErrors: string[] = []

  beforeAll(async () => {
    ensureDashboardBuilt('parklink-live')
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-live-browser-'))
    rtsp = await startRtspSource()
    // The relay learns the dashboard's origin once the app listens: admission is bound then.
    let admission: ViewerAdmission | undefined
    relay = await startLiveRelay({
      maxStreams: 1,
      idleTimeoutMs: 300,
      startTimeoutMs: 15_000,
      source: (c) => (c === 'cam-gate' || c === 'cam-yard' ? rtsp.url : null),
      admission: { check: (req, camera) => admission!.check(req, camera) },
      clock: systemClock,
      log: pino({ level: 'silent' }),
    })
    const liveUrl = `ws://127.0.0.1:${relay.port}`
    env = await tempStore()
    const auth = testAuth(env.store, systemClock)
    await auth.accounts.createUser(
      { username: 'op-wang', role: 'park_operator', password: TEST_PASSWORD },
      'test',
      Date.now(),
    )
    const now = Date.now()
    const camera = (name: string) => ({
      name,
      area: 'tank-farm-1',
      enterprise: 'shilian',
      host: '10.20.1.64',
      port: 80,
    })
    const cams = (ids: Array<[string, string]>) =>
      ids.map(([id, name]) => ({ id: `${id}.online`, device: id, camera: camera(name) }))
    await env.store.recordBirth(
      'huaian',
      {
        ...birth('s-a', {
          edge: 'edge-a',
          ts: now,
          points: cams([
            ['cam-gate', '北门'],
            ['cam-yard', '罐区'],
          ]),
        }),
        live: { url: liveUrl },
      },
      now,
    )
    await env.store.recordBirth(
      'huaian',
      birth('s-b', { edge: 'edge-b', ts: now, points: cams([['cam-quiet', '南门']]) }),
      now,
    )
    server = await serveApp(
      createApp({
        store: env.store,
        clock: systemClock,
        metrics: createMetrics(now),
        log: captureLogger().log,
        ...auth,
        liveTokens: async (cam, subject, at) =>
          await signViewerToken(key.privateKey, { camera: cam, subject, issuer: 'parklink-cloud', now: at }),
        live: { dashboardOrigins: [liveUrl] },
      }),
    )
    admission = createViewerAdmission({ keys: [key.publicKey], origins: [server.origin], now: () => Date.now() })
    context = await launchBrowser(dir)
    page = context.pages()[0] ?? (await context.newPage())
    page.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(m.text())))
    await page.setViewportSize({ width: 1600, height: 900 })
    await logIn(page, server.origin, 'op-wang')
  }, 60_000)

  afterAll(async () => {
    await context?.close()
    await relay?.close()
    await server?.close()
    await stopAll()
    await env?.dispose()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  /** Opens the live view of a camera from its card on the cameras page. */
  const open = async (p: Page, camera: string) => {
    await p.goto(`${server!.origin}/#/cameras`)
    await p.click(`[data-camera=${camera}] [data-testid=live-open]`)
    return p.locator(`[data-testid=live-dialog][data-camera=${camera}]`)
  }

  /** Distinct colours in what the canvas shows on screen (a blank or black canvas has one). */
  const colours = async (p: Page) => {
    const png = await p.locator('[data-testid=live-canvas]').screenshot()
    // In the page (the root tsconfig has no DOM types): decode the PNG and count its colours.
    return await p.evaluate<number>(`(async () => {
      const bytes = Uint8Array.from(atob('${png.toString('base64')}'), (ch) => ch.charCodeAt(0))
      const bmp = await createImageBitmap(new Blob([bytes], { type: 'image/png' }))
      const g = new OffscreenCanvas(bmp.width, bmp.height).getContext('2d')
      g.drawImage(bmp, 0, 0)
      const d = g.getImageData(0, 0, bmp.width, bmp.height).data
      const seen = new Set()
      for (let i = 0; i < d.length; i += 4 * 7) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2])
      return seen.size
    })()`)
  }

  it('plays the camera through its edge relay, refuses one over the limit in zh-CN, and closes the socket with the dialog', async () => {
    const dialog = await open(page, 'cam-gate')
    await waitFor(async () => (await dialog.getAttribute('data-state')) === 'playing', {
      timeoutMs: 30_000,
      message: 'the player shows frames (data-state playing)',
    })
    expect(await dialog.locator('[data-testid=live-status]').textContent()).toBe('播放中')
    // Frames are drawn: GStreamer's test pattern has colour bars.
    await waitFor(async () => (await colours(page)) > 8, { timeoutMs: 15_000, message: 'the canvas shows the picture' })
    expect(relay.streams()).toMatchObject([{ camera: 'cam-gate', viewers: 1 }])
    // Nothing the player does is refused by the CSP (no inline style, no WebAssembly compile).
    expect(consoleErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([])

    // Another camera while the relay streams its one allowed: 4503 → the zh-CN reason.
    // A second tab (the session lives in sessionStorage: it logs in too).
    const other = await context!.newPage()
    try {
      await logIn(other, server!.origin, 'op-wang')
      const refused = await open(other, 'cam-yard')
      await waitFor(async () => (await refused.getAttribute('data-state')) === 'error', { message: 'refused' })
      expect(await refused.locator('[data-testid=live-status]').textContent()).toContain('视频路数已达上限')
    } finally {
      await other.close()
    }

    await dialog.locator('[data-testid=live-close]').click()
    await waitFor(() => relay.streams().every((s) => s.viewers === 0), { message: 'the viewer socket closed' })
    await waitFor(() => relay.streams().length === 0, { message: 'the idle stream stopped' })
    expect(await page.locator('[data-testid=live-dialog]').count()).toBe(0)
  }, 90_000)

  it('says in zh-CN when the camera’s edge announced no live relay', async () => {
    const dialog = await open(page, 'cam-quiet')
    await waitFor(async () => (await dialog.getAttribute('data-state')) === 'error', { message: 'refused at once' })
    expect(await dialog.locator('[data-testid=live-status]').textContent()).toContain('未公布视频中继地址')
    await dialog.locator('[data-testid=live-close]').click()
  }, 30_000)
})
