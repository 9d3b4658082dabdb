import { afterEach, describe, expect, it } from 'vitest'
import { systemClock } from '../../../shared/clock.ts'
import type { Sample } from '../../../shared/wire/sample.ts'
import { startHj212Client } from '../../../test/sim/hj212-client.ts'
import { freePort } from '../../../test/util/ports.ts'
import { waitFor } from '../../../test/util/wait.ts'
import { createLogger } from '../../log.ts'
import { Hj212DeviceConfig } from './config.ts'
import { createHj212Driver } from './index.ts'
import { silenceCheckMs, silenceLimitMs, silentInstruments } from './silence.ts'

const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})

const device = Hj212DeviceConfig.parse({
  id: 'env-station',
  kind: 'hj212',
  host: '127.0.0.1',
  port: 9000,
  staleAfterMs: 600_000,
  silentAfterIntervals: 3,
  instruments: [
    {
      mn: 'WS1',
      requirePassword: false,
      intervalS: 60,
      points: [
        { id: 'park.ws1.cod', factor: 'w01018' },
        { id: 'park.ws1.nh3n', factor: 'w21003' },
      ],
    },
    { mn: 'AIR1', requirePassword: false, points: [{ id: 'park.air1.so2', factor: 'a21026' }] },
  ],
})

describe('HJ 212 silence (pure, on fake time)', () => {
  it('an instrument turns bad after its expected interval × N, not before, and once; without intervalS after staleAfterMs', () => {
    expect(silenceLimitMs(device, device.instruments[0]!)).toBe(180_000)
    expect(silenceLimitMs(device, device.instruments[1]!)).toBe(device.staleAfterMs)
    expect(silenceCheckMs(device)).toBe(45_000)
    const seen = new Map([
      ['WS1', 0],
      ['AIR1', 0],
    ])
    expect(silentInstruments(device, seen, new Set(), 180_000)).toEqual([])
    const late = silentInstruments(device, seen, new Set(), 180_001)
    expect(late.map((s) => s.mn)).toEqual(['WS1'])
    expect(late[0]!.samples).toEqual([
      {
        point: 'park.ws1.cod',
        ts: 180_001,
        value: null,
        quality: 'bad',
        reason: 'timeout:no data from MN WS1 for 180 s (expected every 60 s, bad after 3 intervals)',
      },
      {
        point: 'park.ws1.nh3n',
        ts: 180_001,
        value: null,
        quality: 'bad',
        reason: 'timeout:no data from MN WS1 for 180 s (expected every 60 s, bad after 3 intervals)',
      },
    ])
    expect(silentInstruments(device, seen, new Set(['WS1']), 200_000)).toEqual([])
    expect(silentInstruments(device, seen, new Set(['WS1']), 600_001).map((s) => s.mn)).toEqual(['AIR1'])
    // Never heard from: nothing to call silent yet.
    expect(silentInstruments(device, new Map(), new Set(), 10 ** 9)).toEqual([])
  })
})

describe('HJ 212 silence (real listener)', () => {
  it('an instrument that stops sending turns bad after interval × N, with that in the reason', async () => {
    const port = await freePort()
    const config = Hj212DeviceConfig.parse({
      id: 'env-station',
      kind: 'hj212',
      host: '127.0.0.1',
      port,
      silentAfterIntervals: 2,
      instruments: [
        {
          mn: 'A3208000000002',
          requirePassword: false,
          intervalS: 1,
          points: [{ id: 'park.air1.so2', factor: 'a21026' }],
        },
      ],
    })
    const driver = createHj212Driver(config, { clock: systemClock, log: createLogger('hj212-silence', 'silent') })
    const samples: Sample[] = []
    driver.subscribe!((s) => samples.push(...s))
    await driver.start()
    cleanup.push(() => driver.stop())
    const client = await startHj212Client({
      port,
      mn: 'A3208000000002',
      factors: { a21026: () => 0.2 },
      intervalMs: 200,
    })
    cleanup.push(() => client.stop())
    await waitFor(() => samples.some((s) => s.quality === 'good'))
    await client.stop()
    const bad = await waitFor(() => samples.find((s) => s.quality === 'bad'), { timeoutMs: 10_000 })
    expect(bad.reason).toMatch(
      /^timeout:no data from MN A3208000000002 for \d+ s \(expected every 1 s, bad after 2 intervals\)$/,
    )
    const lastGood = samples.filter((s) => s.quality === 'good').at(-1)!
    expect(bad.ts - lastGood.ts).toBeGreaterThanOrEqual(1_000) // DataTime has whole seconds: at least one interval later
  })
})
