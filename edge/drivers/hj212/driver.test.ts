import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { systemClock } from '../../../shared/clock.ts'
import type { Sample } from '../../../shared/wire/sample.ts'
import { realtimeSegment, startHj212Client, type Hj212Client } from '../../../test/sim/hj212-client.ts'
import { freePort } from '../../../test/util/ports.ts'
import { waitFor } from '../../../test/util/wait.ts'
import { createLogger } from '../../log.ts'
import { encodeFrame, extractFrames } from './codec.ts'
import { Hj212DeviceConfig } from './config.ts'
import { createHj212Driver, type Hj212Driver } from './index.ts'

const log = createLogger('hj212-test', 'silent')
const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})

async function listener(extra: Record<string, unknown> = {}) {
  const port = await freePort()
  const config = Hj212DeviceConfig.parse({
    id: 'env-station',
    kind: 'hj212',
    host: '127.0.0.1',
    port,
    staleAfterMs: 1_500,
    instruments: [
      {
        mn: 'A3208000000001',
        passwordEnv: 'PARKLINK_TEST_HJ212_PW',
        points: [
          { id: 'park.ws1.cod', factor: 'w01018', unit: 'mg/L' },
          { id: 'park.ws1.nh3n', factor: 'w21003', unit: 'mg/L' },
        ],
      },
      {
        mn: 'A3208000000002',
        requirePassword: false,
        points: [{ id: 'park.air1.so2', factor: 'a21026', unit: 'mg/m3' }],
      },
    ],
    ...extra,
  })
  const driver = createHj212Driver(config, { clock: systemClock, log }, { PARKLINK_TEST_HJ212_PW: 'pw-0001' })
  const samples: Sample[] = []
  driver.subscribe!((s) => samples.push(...s))
  await driver.start()
  cleanup.push(() => driver.stop())
  return { driver: driver as Hj212Driver, samples, port }
}

async function instrument(
  port: number,
  mn: string,
  factors: Record<string, () => number>,
  extra: Partial<Parameters<typeof startHj212Client>[0]> = {},
): Promise<Hj212Client> {
  const c = await startHj212Client({ port, mn, pw: 'pw-0001', factors, intervalMs: 200, ...extra })
  cleanup.push(() => c.stop())
  return c
}

describe('HJ 212 listener', () => {
  it('takes real-time data from two instruments at once, stamped with DataTime, flags mapped to quality', async () => {
    const { driver, samples, port } = await listener()
    const before = Date.now()
    await instrument(
      port,
      'A3208000000001',
      { w01018: () => 23.5, w21003: () => 0.82, w99999: () => 1 },
      { flags: { w21003: 'M' } },
    )
    await instrument(port, 'A3208000000002', { a21026: () => 0.031 }, { pw: 'anything' })
    await waitFor(() =>
      ['park.ws1.cod', 'park.ws1.nh3n', 'park.air1.so2'].every((id) => samples.some((s) => s.point === id)),
    )
    const cod = samples.find((s) => s.point === 'park.ws1.cod')!
    expect(cod).toMatchObject({ value: 23.5, quality: 'good' })
    expect(cod.ts % 1000).toBe(0) // DataTime has whole seconds
    expect(cod.ts).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000)
    expect(samples.find((s) => s.point === 'park.ws1.nh3n')).toMatchObject({
      value: 0.82,
      quality: 'uncertain',
      reason: 'source_status:M',
    })
    expect(samples.find((s) => s.point === 'park.air1.so2')).toMatchObject({ value: 0.031, quality: 'good' })
    expect(driver.status().state).toBe('connected')
    expect(driver.counters().unmapped).toBeGreaterThan(0) // w99999
  })

  it("marks a packet stamped 48 h ahead of the listener's clock uncertain with its clock_skew reason, and counts it (issue 14)", async () => {
    const { driver, samples, port } = await listener()
    const c = await instrument(port, 'A3208000000002', { a21026: () => 0.05 }, { intervalMs: 60_000, pw: 'anything' })
    await waitFor(() => samples.length >= 1)
    c.sendRaw(
      encodeFrame(
        realtimeSegment({ mn: 'A3208000000002', factors: { a21026: () => 0.07 } }, Date.now() + 48 * 3_600_000),
      ),
    )
    await waitFor(() => samples.some((s) => s.value === 0.07))
    expect(samples.find((s) => s.value === 0.05)).toMatchObject({ quality: 'good' })
    expect(samples.find((s) => s.value === 0.07)).toMatchObject({
      quality: 'uncertain',
      reason: expect.stringMatching(/^clock_skew:ahead:(47|48)h$/),
    })
    expect(driver.counters().skewed).toBe(1)
  })

  it('counts bad CRC, bad length, unknown MN and wrong password, keeps the connection, and takes the next good packet', async () => {
    const { driver, samples, port } = await listener()
    const c = await instrument(port, 'A3208000000001', { w01018: () => 10 }, { intervalMs: 60_000 })
    await waitFor(() => samples.length >= 1)
    const good = encodeFrame(realtimeSegment({ mn: 'A3208000000001', pw: 'pw-0001', factors: { w01018: () => 11 } }))
    c.sendRaw(good.replace(/[0-9A-F]{4}\r\n$/, '0000\r\n'))
    c.sendRaw(`##99x9${good.slice(6)}`)
    c.sendRaw(encodeFrame(realtimeSegment({ mn: 'NOBODY', factors: { w01018: () => 1 } })))
    c.sendRaw(encodeFrame(realtimeSegment({ mn: 'A3208000000001', pw: 'wrong', factors: { w01018: () => 1 } })))
    c.sendRaw(good)
    await waitFor(() => samples.some((s) => s.value === 11))
    expect(driver.counters().rejected).toMatchObject({ bad_crc: 1, bad_length: 1, unknown_mn: 1, bad_password: 1 })
    expect(driver.counters().connections).toBe(1)
    expect(samples.some((s) => s.value === 1)).toBe(false)
  })

  it('reassembles packets split across TCP segments and several in one segment', async () => {
    const { samples, port } = await listener()
    const socket = net.connect({ port, host: '127.0.0.1' })
    cleanup.push(async () => void socket.destroy())
    await new Promise((resolve) => socket.once('connect', resolve))
    const a = encodeFrame(realtimeSegment({ mn: 'A3208000000002', factors: { a21026: () => 0.5 } }))
    const b = encodeFrame(realtimeSegment({ mn: 'A3208000000002', factors: { a21026: () => 0.6 } }))
    socket.write(a.slice(0, 30))
    await new Promise((resolve) => setTimeout(resolve, 50))
    socket.write(a.slice(30) + b)
    await waitFor(() => samples.filter((s) => s.point === 'park.air1.so2').length === 2)
    expect(samples.map((s) => s.value)).toEqual([0.5, 0.6])
  })

  it('answers with CN=9014 when the packet asks (Flag bit A)', async () => {
    const { port } = await listener()
    const c = await instrument(port, 'A3208000000001', { w01018: () => 5 }, { wantAnswer: true })
    await waitFor(() => c.answers.join('').includes('CN=9014'))
    const items = extractFrames(c.answers.join('')).items
    expect(items[0]).toMatchObject({
      ok: true,
      segment: expect.stringMatching(/^QN=\d{17};ST=91;CN=9014;PW=pw-0001;MN=A3208000000001;Flag=4;CP=&&&&$/),
    })
  })

  it('an instrument that goes silent turns its points bad once; the port in use is LISTEN_FAILED', async () => {
    const { driver, samples, port } = await listener()
    const c = await instrument(port, 'A3208000000002', { a21026: () => 0.2 })
    await waitFor(() => samples.some((s) => s.quality === 'good'))
    await c.stop()
    await waitFor(
      () => samples.some((s) => s.quality === 'bad' && s.reason?.startsWith('timeout:no data from MN A3208000000002')),
      { timeoutMs: 5_000 },
    )
    expect(driver.status().state).toBe('disconnected')
    const again = createHj212Driver(
      Hj212DeviceConfig.parse({
        id: 'dup',
        kind: 'hj212',
        host: '127.0.0.1',
        port,
        instruments: [{ mn: 'x', requirePassword: false, points: [{ id: 'x.y', factor: 'a1' }] }],
      }),
      { clock: systemClock, log },
    )
    await expect(again.start()).rejects.toMatchObject({
      code: 'PL_LISTEN_FAILED',
      hint: expect.stringMatching(/free port/),
    })
  })
})
