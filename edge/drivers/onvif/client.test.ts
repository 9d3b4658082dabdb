import { afterEach, describe, expect, it } from 'vitest'
import { startOnvifSim, type OnvifSim } from '../../../test/sim/onvif-sim.ts'
import { OnvifClient, describeCameraError } from './client.ts'
import { parseNotifications } from './events.ts'
import { checkSnapshot } from './jpeg.ts'

let sim: OnvifSim | null = null
afterEach(async () => {
  await sim?.close()
  sim = null
})

const client = (s: OnvifSim, password = 'sim-password') =>
  new OnvifClient({
    host: s.host,
    port: s.port,
    path: '/onvif/device_service',
    username: 'admin',
    password,
    timeoutMs: 3_000,
  })

describe('OnvifClient against the simulated camera', () => {
  it('connects with WS-Security, reads identity and URIs, and pulls an intrusion event with its time', async () => {
    sim = await startOnvifSim({ model: 'PL-TEST' })
    const c = client(sim)
    const id = await c.connect()
    expect(id).toMatchObject({
      manufacturer: 'ParklinkSim',
      model: 'PL-TEST',
      streamUri: 'rtsp://127.0.0.1:8554/live',
      snapshotUri: `http://127.0.0.1:${sim.port}/onvif/snapshot.jpg`,
    })
    await c.subscribe()
    expect(sim.subscriptions()).toBe(1)
    const at = Date.UTC(2026, 11, 2, 8, 0, 0)
    expect(sim.raise({ at })).toBe(1)
    const events = parseNotifications(await c.pull(1))
    expect(events).toEqual([{ topic: 'tns1:RuleEngine/FieldDetector/ObjectsInside', ts: at, data: { IsInside: true } }])
    await c.renew()
    const snap = await c.snapshot(id.snapshotUri!, 1024 * 1024)
    expect(checkSnapshot(snap.body, snap.contentType, 1024 * 1024)).toEqual({ ok: true })
    await c.unsubscribe()
    expect(sim.subscriptions()).toBe(0)
  })

  it('says "wrong credentials" when the camera refuses the password', async () => {
    sim = await startOnvifSim()
    const err = await client(sim, 'wrong')
      .connect()
      .catch((e: unknown) => e)
    expect(describeCameraError(err, 'admin')).toMatch(/^wrong credentials: the camera refused user admin/)
  })

  it('reports a SOAP fault with its reason', async () => {
    sim = await startOnvifSim()
    const c = client(sim)
    await c.connect()
    sim.failOperation('CreatePullPointSubscription', 'Too many subscriptions')
    const err = await c.subscribe().catch((e: unknown) => e)
    expect(describeCameraError(err, 'admin')).toBe('the camera answered with a SOAP fault: Too many subscriptions')
  })
})
