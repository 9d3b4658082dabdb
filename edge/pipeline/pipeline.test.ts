import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../../shared/clock.ts'
import type { EdgeAlarm } from '../../shared/wire/messages.ts'
import { goodSample, type Sample } from '../../shared/wire/sample.ts'
import type { LocalAlarms } from '../alarms/local.ts'
import { createLatestValues } from '../latest-values.ts'
import { createLogger } from '../log.ts'
import type { Outbox } from '../outbox/outbox.ts'
import { openSqliteOutbox } from '../outbox/sqlite-outbox.ts'
import { createBatcher } from './batcher.ts'
import { createSamplePipeline, type SamplePipelineDeps } from './pipeline.ts'

const log = createLogger('pipeline-test', 'silent')
const T0 = Date.UTC(2026, 0, 1)
let dir: string
let outbox: Outbox
beforeEach(() => {
  vi.useFakeTimers({ now: T0 })
  dir = mkdtempSync(path.join(tmpdir(), 'parklink-pipeline-'))
  outbox = openSqliteOutbox({ file: path.join(dir, 'outbox.db'), maxBytes: 1024 ** 3, clock: systemClock })
})
afterEach(() => {
  outbox.close()
  rmSync(dir, { recursive: true, force: true })
  vi.useRealTimers()
})

/** The outbox, with each commit (append or appendMany: one transaction each) counted. */
function counted(inner: Outbox) {
  const commits: number[] = []
  const box: Outbox = {
    ...inner,
    append: (...args) => (commits.push(Date.now()), inner.append(...args)),
    appendMany: (parts) => (commits.push(Date.now()), inner.appendMany(parts)),
  }
  return { box, commits }
}

/** Local alarms that record what they were shown (the order matters) and raise one alarm per call. */
function recordingAlarms(): LocalAlarms & { seen: Sample[] } {
  const seen: Sample[] = []
  return {
    seen,
    process: (samples) => {
      seen.push(...samples)
      const last = samples.at(-1)
      const alarm: EdgeAlarm = {
        type: 'raise',
        point: last?.point ?? 'x.y',
        kind: 'HH',
        ts: last?.ts ?? 0,
        value: 1,
        limit: 0.5,
      }
      return last ? [alarm] : []
    },
    active: () => [],
    close: () => {},
  }
}

const pipelineWith = (over: Partial<SamplePipelineDeps> = {}) =>
  createSamplePipeline({
    clock: systemClock,
    log,
    outbox,
    limits: { batchSize: 500, maxMessageBytes: 1024 * 1024 },
    latest: createLatestValues(),
    ...over,
  })

describe('the edge sample path (edge/pipeline)', () => {
  it('a polled read: sanitized, shown as latest, evaluated, written in one commit; over batchSize it is several messages of that commit', () => {
    const { box, commits } = counted(outbox)
    const latest = createLatestValues()
    const local = recordingAlarms()
    const p = pipelineWith({ outbox: box, latest, local, limits: { batchSize: 2, maxMessageBytes: 1024 * 1024 } })
    const raw: unknown[] = [
      goodSample('d.a', T0, 1),
      goodSample('d.b', T0, 2),
      { point: 'd.c', ts: T0 + 0.5, value: 3, quality: 'good' },
    ]
    p.process('dev', raw)
    expect(commits).toHaveLength(1)
    const batches = outbox.peek(0, 10)
    expect(batches.map((b) => b.samples.length)).toEqual([2, 1])
    expect(batches[0]!.createdAt).toBe(batches[1]!.createdAt) // one commit, one time
    // The fractional timestamp broke the contract: sent as bad, not dropped, and not poisoning the batch.
    expect(batches[1]!.samples[0]).toMatchObject({
      point: 'd.c',
      quality: 'bad',
      reason: expect.stringMatching(/^invalid_sample:/),
    })
    // The alarms ride with the last part, after every sample that caused them.
    expect(batches[0]!.alarms).toBeUndefined()
    expect(batches[1]!.alarms).toHaveLength(1)
    expect(local.seen.map((s) => s.point)).toEqual(['d.a', 'd.b', 'd.c'])
    expect(latest.list().map((l) => l.point)).toEqual(['d.a', 'd.b', 'd.c'])
  })

  it('runs the per-sample checks of the sanitize step on every sample, with the receive time', () => {
    const p = pipelineWith({
      checks: [(s, at) => (s.ts > at ? { ...s, quality: 'uncertain', reason: 'checked:ahead' } : s)],
    })
    p.process('dev', [goodSample('d.a', T0 - 1, 1), goodSample('d.a', T0 + 60_000, 2)])
    expect(outbox.peek(0, 1)[0]!.samples.map((s) => s.quality)).toEqual(['good', 'uncertain'])
  })

  it('an outbox refusal costs the samples (logged with the count), never the pipeline', () => {
    const p = pipelineWith()
    outbox.close()
    expect(() => p.process('dev', [goodSample('d.a', T0, 1)])).not.toThrow()
    outbox = openSqliteOutbox({ file: path.join(dir, 'outbox.db'), maxBytes: 1024 ** 3, clock: systemClock })
  })
})

describe('batching of pushed samples', () => {
  it("a device's notifications wait batchMs and become one commit, in order; maxSamples flushes at once; flushAll keeps what waits", () => {
    const { box, commits } = counted(outbox)
    const local = recordingAlarms()
    const p = pipelineWith({ outbox: box, local })
    const b = createBatcher({
      clock: systemClock,
      batchMs: 200,
      maxSamples: 5,
      flush: (device, samples) => p.process(device, samples),
    })
    b.add('dev', [goodSample('d.a', T0, 1)])
    vi.advanceTimersByTime(100)
    b.add('dev', [goodSample('d.b', T0 + 100, 2)])
    b.add('other', [goodSample('o.a', T0 + 100, 3)])
    expect(commits).toHaveLength(0)
    vi.advanceTimersByTime(100)
    expect(commits).toHaveLength(1) // dev: 200 ms after its first sample
    expect(outbox.peek(0, 10)[0]!.samples.map((s) => s.point)).toEqual(['d.a', 'd.b'])
    vi.advanceTimersByTime(100)
    expect(commits).toHaveLength(2) // other
    for (let i = 0; i < 5; i++) b.add('dev', [goodSample('d.a', T0 + 1_000 + i, i)])
    expect(commits).toHaveLength(3) // five waiting: at once
    b.add('dev', [goodSample('d.a', T0 + 2_000, 9)])
    b.flushAll()
    expect(commits).toHaveLength(4)
    expect(b.waiting()).toBe(0)
    // Local alarms saw every sample, each device in its own order.
    expect(local.seen.filter((s) => s.point === 'd.a').map((s) => s.value)).toEqual([1, 0, 1, 2, 3, 4, 9])
  })

  it('10 000 subscribed tags changing at 1 Hz: at most 10 outbox commits per second, every sample kept', () => {
    const { box, commits } = counted(outbox)
    const p = pipelineWith({ outbox: box })
    const b = createBatcher({
      clock: systemClock,
      batchMs: 200,
      maxSamples: 5_000,
      flush: (device, samples) => p.process(device, samples),
    })
    const tags = 10_000
    const seconds = 10
    const slices = 50 // notifications spread over each second, 20 ms apart
    for (let s = 0; s < seconds; s++) {
      for (let k = 0; k < slices; k++) {
        for (let t = k; t < tags; t += slices) b.add('dcs', [goodSample(`dcs.t${t}`, Date.now(), s)])
        vi.advanceTimersByTime(1_000 / slices)
      }
    }
    b.flushAll()
    expect(outbox.stats().samples).toBe(tags * seconds)
    expect(commits.length).toBeLessThanOrEqual(10 * seconds)
    // Without batching it would be one commit per notification.
    expect(commits.length).toBeLessThan((tags * seconds) / 1_000)
  })
})
