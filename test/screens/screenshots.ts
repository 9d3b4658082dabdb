import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { HAS_CHROMIUM, launchBrowser } from '../util/browser.ts'
import { ensureDashboardBuilt, logIn } from '../util/dashboard.ts'
import { USERS, startScreensFixture } from './fixture.ts'

/**
 * `npm run screenshots` (issue 17): the screens fixture (the real cloud app on a loopback port 0,
 * demo-like data) in Chromium; every dashboard page at 1600×900 as the role that works on it,
 * the wall at 1920×1080, written to docs/screenshots/*.png (linked from the README).
 */
const OUT = path.resolve('docs/screenshots')
const DESK = { width: 1600, height: 900 }
const WALL = { width: 1920, height: 1080 }

/** [file, role's user, address, what shows once the page has its data]. */
const SHOTS: Array<[string, string, string, string]> = [
  ['board', USERS.park_operator, '/#/board', '[data-zone=onScreen] .card'],
  ['journal', USERS.park_operator, '/#/journal', 'tr.chatter'],
  ['alarm', USERS.park_operator, '/#/alarms/1', '.timeline li'],
  ['points', USERS.park_operator, '/#/points', 'table'],
  ['trend', USERS.park_operator, `/#/points/${encodeURIComponent('shilian.tk101.level')}`, 'canvas'],
  ['cameras', USERS.park_operator, '/#/cameras', '[data-camera]'],
  ['edges', USERS.park_operator, '/#/edges', 'main h1'],
  ['registry', USERS.park_admin, '/#/registry', 'tr[data-point]'],
  ['reports', USERS.park_operator, '/#/reports', 'main h1'],
  ['windows', USERS.park_operator, '/#/windows', 'main h1'],
  ['users', USERS.security_admin, '/#/users', 'tr[data-user]'],
  ['audit', USERS.auditor, '/#/audit', '[data-testid=audit] tbody tr'],
]

async function shoot(page: Page, origin: string, user: string, address: string, ready: string, file: string) {
  const who = await page.$('[data-testid=who]')
  if (!who || !((await who.textContent()) ?? '').startsWith(`${user} `)) await logIn(page, origin, user)
  await page.goto(`${origin}${address}`)
  await page.waitForSelector(ready, { timeout: 15_000 })
  // Names, units and pictures arrive after the first drawing: wait until the network is quiet
  // (the board and the wall keep a stream open: for them, the plan image or the cards suffice).
  if (!address.startsWith('/wall') && address !== '/#/board')
    await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => {})
  await page.screenshot({ path: path.join(OUT, `${file}.png`) })
  console.log(`docs/screenshots/${file}.png`)
}

async function main(): Promise<void> {
  if (!HAS_CHROMIUM) throw new Error('no /usr/bin/chromium: install Debian chromium to take screenshots')
  ensureDashboardBuilt('camera-offline-stats')
  mkdirSync(OUT, { recursive: true })
  const dir = mkdtempSync(path.join(tmpdir(), 'parklink-shots-'))
  const fx = await startScreensFixture()
  const context = await launchBrowser(dir)
  try {
    const page = context.pages()[0] ?? (await context.newPage())
    await page.setViewportSize(DESK)
    await logIn(page, fx.origin, USERS.park_operator)
    for (const [file, user, address, ready] of SHOTS) await shoot(page, fx.origin, user, address, ready, file)
    await page.setViewportSize(WALL)
    await shoot(page, fx.origin, USERS.park_operator, '/wall', '.plan-svg image.plan-image', 'wall')
  } finally {
    await context.close()
    await fx.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err)
    process.exit(1)
  },
)
