import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { LEVEL, PRESSURE } from '../cloud/helpers.ts'
import { HAS_CHROMIUM, launchBrowser } from '../util/browser.ts'
import { ensureDashboardBuilt, logIn } from '../util/dashboard.ts'
import { type ScreensFixture, USERS, startScreensFixture } from './fixture.ts'
import { openLivePlayer, startScreensLive } from './live-relay.ts'

/**
 * `npm run screenshots` (issue 17): the screens fixture (the real cloud app on a loopback port 0,
 * demo-like data) in Chromium; every dashboard page at 1600×900 as the role that works on it,
 * the live player (GStreamer's test pattern through a real edge relay, live-relay.ts),
 * the wall at 1920×1080, written to docs/screenshots/*.png (linked from the README).
 */
const OUT = path.resolve('docs/screenshots')
const DESK = { width: 1600, height: 900 }
const WALL = { width: 1920, height: 1080 }

const MIN = 60_000

/** [file, role's user, address, what shows once the page has its data]. */
type Shot = [string, string, string, string]
const shots = (alarm: { pressure: number; camera: number }, now: number): Shot[] => [
  ['board', USERS.park_operator, '/#/board', '[data-zone=onScreen] .card'],
  ['journal', USERS.park_operator, '/#/journal', 'tr.chatter'],
  ['alarm', USERS.park_operator, `/#/alarms/${alarm.pressure}`, '[data-testid=alarm-trend] canvas'],
  ['alarm-camera', USERS.park_operator, `/#/alarms/${alarm.camera}`, '[data-testid=area-cameras] [data-camera]'],
  ['points', USERS.park_operator, '/#/points', 'table'],
  ['trend', USERS.park_operator, `/#/points/${encodeURIComponent(LEVEL)}`, 'canvas'],
  [
    'trend-multi',
    USERS.park_operator,
    `/#/trend?p=${[LEVEL, PRESSURE].map(encodeURIComponent).join(',')}&from=${now - 125 * MIN}&to=${now}`,
    '[data-testid=trend-chart] canvas',
  ],
  ['kpi', USERS.park_operator, '/#/kpi', '[data-testid=kpi-hourly-chart] canvas'],
  ['completeness', USERS.park_operator, '/#/completeness', '[data-testid=compl-gaps] tr[data-gap=disk_full]'],
  ['gas-warnings', USERS.park_operator, '/#/gas-warnings', '[data-colour=red]'],
  ['cameras', USERS.park_operator, '/#/cameras', '[data-camera]'],
  ['edges', USERS.park_operator, '/#/edges', 'main h1'],
  ['registry', USERS.park_admin, '/#/registry', 'tr[data-point]'],
  ['reports', USERS.park_operator, '/#/reports', 'main h1'],
  ['windows', USERS.park_operator, '/#/windows', 'main h1'],
  ['users', USERS.security_admin, '/#/users', 'tr[data-user]'],
  ['audit', USERS.auditor, '/#/audit', '[data-testid=audit] tbody tr'],
]

/** The id of the fixture's first alarm on a point of a kind (through the API, as the admin). */
async function alarmOf(fx: ScreensFixture, point: string, kind: string): Promise<number> {
  const res = await fetch(`${fx.origin}/api/v1/alarms?state=all&kind=${kind}&point=${encodeURIComponent(point)}`, {
    headers: { authorization: `Bearer ${fx.adminToken}` },
  })
  const [first] = (await res.json()) as Array<{ id: number }>
  if (!first) throw new Error(`the screens fixture has no ${kind} alarm on ${point}`)
  return first.id
}

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
  ensureDashboardBuilt('alarm-trend')
  mkdirSync(OUT, { recursive: true })
  const dir = mkdtempSync(path.join(tmpdir(), 'parklink-shots-'))
  const live = await startScreensLive()
  const fx = await startScreensFixture({ live })
  const context = await launchBrowser(dir)
  try {
    const page = context.pages()[0] ?? (await context.newPage())
    await page.setViewportSize(DESK)
    await logIn(page, fx.origin, USERS.park_operator)
    const alarm = {
      pressure: await alarmOf(fx, PRESSURE, 'H'),
      camera: await alarmOf(fx, 'camera:cam-gate', 'OFFLINE'),
    }
    for (const [file, user, address, ready] of shots(alarm, Date.now()))
      await shoot(page, fx.origin, user, address, ready, file)
    // The live player on the cameras page: GStreamer's test pattern through a real edge relay.
    await logIn(page, fx.origin, USERS.park_operator)
    await openLivePlayer(page, fx.origin)
    await page.screenshot({ path: path.join(OUT, 'live.png') })
    console.log('docs/screenshots/live.png')
    await page.locator('[data-testid=live-close]').click()
    await page.setViewportSize(WALL)
    await shoot(page, fx.origin, USERS.park_operator, '/wall', '.plan-svg image.plan-image', 'wall')
  } finally {
    await context.close()
    await fx.close()
    await live.close()
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
