import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { systemClock } from '../../../shared/clock.ts'
import type { CameraAlarmEvent, CameraEvent, CameraStatusEvent } from '../../../shared/wire/camera.ts'
import { startOnvifSim, type OnvifSim } from '../../../test/sim/onvif-sim.ts'
import type { Driver } from '../driver.ts'
import { OnvifDeviceConfig } from './config.ts'
import { createOnvifDriver } from './index.ts'
import { startPoller } from '../poller.ts'
import { waitFor } from '../../../test/util/wait.ts'

const cleanup: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

async function setup(o: { password?: string; env?: NodeJS.ProcessEnv } = {}) {
  const sim = await startOnvifSim()
  cleanup.push(() => sim.close())
  const dataDir = mkdtempSync(path.join(tmpdir(), 'parklink-onvif-'))
  cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }))
  const config = OnvifDeviceConfig.parse({
    id: 'cam-gate',
    kind: 'onvif',
    host: sim.host,
    port: sim.port,
    username: 'admin',
    passwordEnv: 'CAM_PW',
    area: 'tank-farm-1',
    pullWaitS: 1,
    timeoutMs: 2_000,
  })
  const driver = createOnvifDriver(
    config,
    { clock: systemClock, log: pino({ level: 'silent' }), dataDir },
    o.env ?? { CAM_PW: o.password ?? 'sim-password' },
  )
  cleanup.push(() => driver.stop())
  const events: CameraEvent[] = []
  driver.onEvents!((e) => events.push(...e))
  return { sim, driver, events, dataDir }
}

const health = (d: Driver) => d.read!(['cam-gate.online'])
const pull = (d: Driver) => d.read!(['cam-gate.event'])
const alarms = (events: CameraEvent[]) => events.filter((e): e is CameraAlarmEvent => e.type !== 'status')
const statuses = (events: CameraEvent[]) => events.filter((e): e is CameraStatusEvent => e.type === 'status')

describe('ONVIF camera driver (simulated camera, reads called as the framework would)', () => {
  it('goes online, subscribes, and turns an intrusion into an RYRQ event with its time and a checked JPEG kept on disk', async () => {
    const { sim, driver, events, dataDir } = await setup()
    await driver.start()
    expect((await health(driver))[0]).toMatchObject({ point: 'cam-gate.online', value: true, quality: 'good' })
    expect(driver.status()).toMatchObject({ state: 'connected', lastError: null })
    expect(statuses(events)).toMatchObject([{ online: true }])
    expect(sim.subscriptions()).toBe(1)
    const at = Date.now() - 5_000
    sim.raise({ at })
    await pull(driver)
    const [e] = alarms(events)
    expect(e).toMatchObject({
      camera: 'cam-gate',
      type: 'raise',
      code: 'RYRQ',
      kind: 'intrusion',
      priority: 'A',
      ts: at,
    })
    const jpeg = Buffer.from(e!.snapshot!.data, 'base64')
    expect(jpeg.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]))
    expect(e!.snapshot!.sha256).toBe(createHash('sha256').update(jpeg).digest('hex'))
    expect(readdirSync(path.join(dataDir, 'snapshots'))).toHaveLength(1)
    sim.raise({ item: { name: 'IsInside', value: 'false' } })
    await pull(driver)
    expect(alarms(events)[1]).toMatchObject({ type: 'clear', code: 'RYRQ' })
    expect(alarms(events)[1]!.snapshot).toBeUndefined()
  })

  it('reports a camera that goes away as offline with the reason, and re-subscribes after it restarts', async () => {
    const { sim, driver, events } = await setup()
    await driver.start()
    await health(driver)
    await sim.goOffline()
    expect((await health(driver))[0]).toMatchObject({ value: false })
    expect(driver.status()).toMatchObject({ state: 'disconnected' })
    expect(driver.status().lastError).toMatch(/^unreachable: ECONNREFUSED/)
    expect(statuses(events).at(-1)).toMatchObject({ online: false, reason: expect.stringMatching(/^unreachable/) })
    await sim.goOnline()
    expect((await health(driver))[0]).toMatchObject({ value: true })
    expect(sim.subscriptions()).toBe(1)
    sim.raise()
    await pull(driver)
    expect(alarms(events)).toHaveLength(1)
    expect(statuses(events).map((s) => s.online)).toEqual([true, false, true])
  })

  it('re-creates the subscription after a reboot it only noticed because the camera forgot it', async () => {
    const { sim, driver, events } = await setup()
    await driver.start()
    await health(driver)
    await sim.goOffline()
    await sim.goOnline()
    await pull(driver) // the old subscription is unknown to the rebooted camera: a fault
    expect(driver.status()).toMatchObject({
      state: 'degraded',
      lastError: expect.stringMatching(/unknown or expired subscription/),
    })
    await health(driver)
    expect(driver.status()).toMatchObject({ state: 'connected' })
    sim.raise()
    await pull(driver)
    expect(alarms(events)).toHaveLength(1)
  })

  it('says "wrong credentials", and backs off instead of hammering the camera', async () => {
    const { sim, driver, events } = await setup({ password: 'wrong' })
    await driver.start()
    await health(driver)
    expect(driver.status().lastError).toMatch(/^wrong credentials: the camera refused user admin/)
    expect(statuses(events)).toMatchObject([{ online: false }])
    await health(driver) // first retry is due at once
    const calls = sim.calls('GetSystemDateAndTime')
    await health(driver)
    await health(driver)
    expect(sim.calls('GetSystemDateAndTime')).toBe(calls)
  })

  it('sends the event without a picture, with the reason, when the snapshot is not a JPEG or too large', async () => {
    const { sim, driver, events } = await setup()
    await driver.start()
    await health(driver)
    sim.setSnapshot(Buffer.from('<html>login</html>'), 'text/html')
    sim.raise()
    await pull(driver)
    expect(alarms(events)[0]).toMatchObject({
      code: 'RYRQ',
      snapshotError: 'snapshot is not a JPEG: content-type "text/html"',
    })
    sim.setSnapshot(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(2 * 1024 * 1024)]))
    sim.raise({ topic: 'tns1:RuleEngine/LineDetector/Crossed', item: { name: 'ObjectId', value: '7' } })
    await pull(driver)
    expect(alarms(events)[1]).toMatchObject({
      type: 'pulse',
      code: 'RYYJ',
      snapshotError: expect.stringMatching(/too large/),
    })
  })

  it('is degraded with the SOAP fault when the camera refuses a subscription, and subscribes at the next check', async () => {
    const { sim, driver } = await setup()
    await driver.start()
    sim.failOperation('CreatePullPointSubscription', 'Maximum number of subscriptions reached')
    await health(driver)
    expect(driver.status()).toMatchObject({
      state: 'degraded',
      lastError: 'events: the camera answered with a SOAP fault: Maximum number of subscriptions reached',
    })
    await health(driver)
    expect(driver.status()).toMatchObject({ state: 'connected', lastError: null })
    expect(sim.subscriptions()).toBe(1)
  })

  it('under the framework poller, a camera with wrong credentials does not disturb another one', async () => {
    const good = await startOnvifSim()
    const bad = await startOnvifSim({ password: 'other-password' })
    cleanup.push(
      () => good.close(),
      () => bad.close(),
    )
    const log = pino({ level: 'silent' })
    const make = (id: string, sim: OnvifSim) =>
      createOnvifDriver(
        OnvifDeviceConfig.parse({
          id,
          kind: 'onvif',
          host: sim.host,
          port: sim.port,
          username: 'admin',
          passwordEnv: 'CAM_PW',
          area: 'a',
          healthIntervalMs: 500,
          pullIntervalMs: 200,
          pullWaitS: 1,
        }),
        { clock: systemClock, log },
        { CAM_PW: 'sim-password' },
      )
    const drivers = [make('cam-good', good), make('cam-bad', bad)]
    const events: CameraEvent[] = []
    for (const d of drivers) {
      await d.start()
      d.onEvents!((e) => events.push(...e))
    }
    const poller = startPoller({ drivers, clock: systemClock, onSamples: () => {}, log })
    cleanup.push(async () => {
      await poller.stop()
      for (const d of drivers) await d.stop()
    })
    await waitFor(() => good.subscriptions() === 1)
    good.raise()
    await waitFor(() => alarms(events).some((e) => e.camera === 'cam-good' && e.code === 'RYRQ' && e.snapshot))
    expect(drivers[0]!.status()).toMatchObject({ state: 'connected', lastError: null })
    expect(drivers[1]!.status()).toMatchObject({
      state: 'disconnected',
      lastError: expect.stringMatching(/^wrong credentials/),
    })
    expect(
      statuses(events)
        .filter((e) => e.camera === 'cam-bad')
        .map((e) => e.online),
    ).toEqual([false])
  })

  it('refuses to start without its password variable', async () => {
    const { driver } = await setup({ env: {} })
    await expect(driver.start()).rejects.toMatchObject({ code: 'PL_CONFIG_INVALID' })
  })
})
