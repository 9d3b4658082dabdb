import { generateKeyPairSync } from 'node:crypto'
import pino from 'pino'
import type { Page } from 'playwright-core'
import { createViewerAdmission, type ViewerAdmission } from '../../edge/live/admission.ts'
import { startLiveRelay } from '../../edge/live/relay.ts'
import { systemClock } from '../../shared/clock.ts'
import { signViewerToken } from '../../shared/wire/live-token.ts'
import { startRtspSource } from '../sim/rtsp-source.ts'

/**
 * Live view for the screenshots (issue 17): GStreamer's test pattern (test/sim/rtsp-source.ts)
 * through a real edge relay (edge/live/relay.ts) for camera `cam-tank`, trusting the key the
 * fixture's cloud signs viewer tokens with and, once the cloud listens, its origin.
 */
export interface ScreensLive {
  /** The relay's origin (the edge's live.publicUrl, in the fixture's birth and live.dashboardOrigins). */
  url: string
  issue(camera: string, subject: string, now: number): Promise<{ token: string; expiresAt: number }>
  /** Admits pages of this origin (the fixture's cloud). */
  allow(origin: string): void
  close(): Promise<void>
}

export const LIVE_CAMERA = 'cam-tank'

export async function startScreensLive(): Promise<ScreensLive> {
  const key = generateKeyPairSync('ed25519')
  const rtsp = await startRtspSource()
  let admission: ViewerAdmission | undefined
  const relay = await startLiveRelay({
    maxStreams: 1,
    idleTimeoutMs: 1_000,
    startTimeoutMs: 15_000,
    source: (c) => (c === LIVE_CAMERA ? rtsp.url : null),
    admission: {
      check: async (req, camera) =>
        admission ? await admission.check(req, camera) : { ok: false, reason: 'origin_refused' },
    },
    clock: systemClock,
    log: pino({ level: 'silent' }),
  })
  return {
    url: `ws://127.0.0.1:${relay.port}`,
    issue: async (camera, subject, now) =>
      await signViewerToken(key.privateKey, { camera, subject, issuer: 'parklink-cloud', now }),
    allow: (origin) => {
      admission = createViewerAdmission({ keys: [key.publicKey], origins: [origin], now: () => Date.now() })
    },
    close: async () => {
      await relay.close()
      await rtsp.stop()
    },
  }
}

/** Opens the live view of LIVE_CAMERA on the cameras page and waits for its first frames. */
export async function openLivePlayer(page: Page, origin: string): Promise<void> {
  await page.goto(`${origin}/#/cameras`)
  await page.click(`[data-camera=${LIVE_CAMERA}] [data-testid=live-open]`, { timeout: 15_000 })
  await page.waitForSelector('[data-testid=live-dialog][data-state=playing]', { timeout: 30_000 })
}
