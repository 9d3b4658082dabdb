import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../../shared/clock.ts'
import { badSample, goodSample, type Sample } from '../../shared/wire/sample.ts'
import type { Driver } from '../drivers/driver.ts'
import { createLatestValues } from '../latest-values.ts'
import { createLogger } from '../log.ts'
import type { Outbox } from '../outbox/outbox.ts'
import { openSqliteOutbox } from '../outbox/sqlite-outbox.ts'
import { createSamplePipeline } from './pipeline.ts'
import { startSamplePath } from './sample-path.ts'

const log = createLogger('sample-path-test', 'silent')
const T0 = Date.UTC(2026, 0, 1)
let dir: string
let outbox: Outbox
beforeEach(() => {
  vi.useFakeTimers({ now: T0 })
  dir = mkdtempSync(path.join(tmpdir(), 'parklink-sample-path-'))
  outbox = openSqliteOutbox({ file: path.join(dir, 'outbox.db'), maxBytes: 1024 ** 3, clock: systemClock })
})
afterEach(() => {
  outbox.close()
  rmSync(dir, { recursive: true, force: true })
  vi.useRealTimers()
})

/** A driver that both pushes (push()) and is polled every second (what `nextRead` holds). */
function hybridDriver() {
  let on: ((samples: Sample[]) => void) | null = null
  const state = { nextRead: [] as Sample[] }
  const driver: Driver = {
    device: 'dcs',
    kind: 'double',
    points: [{ id: 'dcs.level', device: 'dcs' }],
    pollIntervalMs: 1_000,
    start: async () => {},
    stop: async () => {},
    status: () => ({ state: 'connected', since: T0, lastError: null }),
    read: async () => state.nextRead.splice(0),
    subscribe: (listener) => ((on = listener), () => void (on = null)),
  }
  return { driver, state, push: (s: Sample[]) => on?.(s) }
}

const written = () => outbox.peek(0, 100).flatMap((b) => b.samples.map((s) => `${s.quality}@${s.ts - T0}`))

describe('the sample path', () => {
  it("a device's pushed samples waiting in a batch go before its polled ones, so its points stay in time order", async () => {
    const { driver, state, push } = hybridDriver()
    const pipeline = createSamplePipeline({
      clock: systemClock,
      log,
      outbox,
      limits: { batchSize: 500, maxMessageBytes: 1024 * 1024 },
      latest: createLatestValues(),
    })
    const sp = startSamplePath({
      drivers: [driver],
      clock: systemClock,
      log,
      pipeline,
      batching: { batchMs: 5_000, maxSamples: 1_000 },
      maxSilenceMs: () => Infinity,
    })
    await vi.advanceTimersByTimeAsync(900)
    push([goodSample('dcs.level', Date.now(), 1)])
    state.nextRead = [badSample('dcs.level', T0 + 950, 'unreachable:connection lost')]
    await vi.advanceTimersByTimeAsync(200) // the poll at 1 s, long before the batch's 5 s
    expect(written()).toEqual(['good@900', 'bad@950'])
    await sp.stop()
  })

  it('on stop, what waits in a batch is written, not lost', async () => {
    const { driver, push } = hybridDriver()
    const pipeline = createSamplePipeline({
      clock: systemClock,
      log,
      outbox,
      limits: { batchSize: 500, maxMessageBytes: 1024 * 1024 },
      latest: createLatestValues(),
    })
    const sp = startSamplePath({
      drivers: [driver],
      clock: systemClock,
      log,
      pipeline,
      batching: { batchMs: 5_000, maxSamples: 1_000 },
      maxSilenceMs: () => Infinity,
    })
    push([goodSample('dcs.level', T0, 1), goodSample('dcs.level', T0 + 1, 2)])
    expect(written()).toEqual([])
    await sp.stop()
    expect(written()).toEqual(['good@0', 'good@1'])
  })
})
