import { describe, expect, it } from 'vitest'
import { steppedClock } from '../../test/util/stepped-clock.ts'
import { IOT_LIMITS, IOT_PACE, checkIotTopics, iotTopicProblem } from './limits.ts'
import { createPublishGate, type PublishJob } from './publish-gate.ts'
import { createTokenBucket } from './token-bucket.ts'

/** IoT Core's limits as the transports enforce them: pace, in flight, topics (shared/iot/limits.ts). */
describe('the publish gate (IoT Core pace and in-flight limits)', () => {
  const T0 = 1_800_000_000_000
  const unlimited = { perSecond: 1_000, burst: 1_000, bytesPerSecond: 1e9, burstBytes: 1e9 }

  it('never lets more than burst + perSecond publishes into any one-second window, and sends all in order', async () => {
    const clock = steppedClock(T0)
    const gate = createPublishGate({ clock, ...IOT_PACE, maxInflightQos1: IOT_PACE.inflightQos1 })
    const sent: Array<{ i: number; at: number }> = []
    for (let i = 0; i < 500; i++)
      gate.submit({
        qos: 1,
        bytes: 100,
        send: (release) => (sent.push({ i, at: clock.now() }), release()),
        fail: () => {},
      })
    for (let s = 0; s < 10 && sent.length < 500; s++) await clock.advance(1_000)
    expect(sent.map((s) => s.i)).toEqual([...Array(500).keys()])
    // Every window of 1000 ms, starting at each send.
    const most = Math.max(...sent.map((a) => sent.filter((b) => b.at >= a.at && b.at < a.at + 1_000).length))
    expect(most).toBeLessThanOrEqual(IOT_PACE.burst + IOT_PACE.perSecond)
    expect(most).toBeLessThan(IOT_LIMITS.publishesPerSecond)
  })

  it('holds QoS 1 publishes while the in-flight cap is reached, and goes on as acks release them', async () => {
    const clock = steppedClock(T0)
    const gate = createPublishGate({ ...unlimited, clock, maxInflightQos1: 3 })
    const releases: Array<() => void> = []
    const job = (): PublishJob => ({ qos: 1, bytes: 10, send: (r) => void releases.push(r), fail: () => {} })
    for (let i = 0; i < 5; i++) gate.submit(job())
    expect(gate.stats()).toEqual({ inflight: 3, waiting: 2 })
    releases[0]!()
    releases[0]!() // a second release of the same publish counts once
    expect(gate.stats()).toEqual({ inflight: 3, waiting: 1 })
    releases[1]!()
    expect(gate.stats()).toEqual({ inflight: 3, waiting: 0 })
  })

  it('fails what waits when closed, and everything after', async () => {
    const clock = steppedClock(T0)
    const gate = createPublishGate({ ...unlimited, clock, perSecond: 1, burst: 1, maxInflightQos1: 10 })
    const outcome: string[] = []
    const job = (name: string): PublishJob => ({
      qos: 0,
      bytes: 10,
      send: () => void outcome.push(`sent ${name}`),
      fail: (e) => void outcome.push(`${name}: ${e.message}`),
    })
    gate.submit(job('a'))
    gate.submit(job('b')) // waits a second for a token
    gate.close(new Error('gone'))
    gate.submit(job('c'))
    await clock.advance(5_000)
    expect(outcome).toEqual(['sent a', 'b: gone', 'c: gone'])
    expect(clock.pending()).toBe(0)
  })

  it('keeps the bytes of any one-second window under 512 KiB, messages of up to 128 KiB included', async () => {
    const clock = steppedClock(T0)
    const gate = createPublishGate({ clock, ...IOT_PACE, maxInflightQos1: IOT_PACE.inflightQos1 })
    const sent: Array<{ bytes: number; at: number }> = []
    const sizes = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? IOT_LIMITS.messageBytes : 20_000 + i))
    for (const bytes of sizes)
      gate.submit({
        qos: 1,
        bytes,
        send: (release) => (sent.push({ bytes, at: clock.now() }), release()),
        fail: () => {},
      })
    for (let s = 0; s < 30 && sent.length < sizes.length; s++) await clock.advance(1_000)
    expect(sent.map((s) => s.bytes)).toEqual(sizes)
    const most = Math.max(
      ...sent.map((a) => sent.filter((b) => b.at >= a.at && b.at < a.at + 1_000).reduce((n, b) => n + b.bytes, 0)),
    )
    expect(most).toBeLessThanOrEqual(IOT_PACE.burstBytes + IOT_PACE.bytesPerSecond)
    expect(most).toBeLessThan(IOT_LIMITS.bytesPerSecond)
  })

  it('the token bucket refills at its rate up to its capacity', () => {
    let now = T0
    const bucket = createTokenBucket(10, 2, () => now)
    expect([bucket.take(), bucket.take()]).toEqual([0, 0])
    expect(bucket.take()).toBe(100)
    now += 100
    expect(bucket.take()).toBe(0)
    now += 10_000
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([0, 0, 100])
  })
})

describe('IoT Core topic limits', () => {
  it("accepts parklink's topics and refuses deeper, longer or wildcard ones", () => {
    expect(iotTopicProblem('parklink/v1/huaian/edge-01/data')).toBeNull()
    expect(iotTopicProblem('a/b/c/d/e/f/g/h')).toBeNull() // 7 slashes
    expect(iotTopicProblem('a/b/c/d/e/f/g/h/i')).toMatch(/8 slashes; AWS IoT Core allows 7/)
    expect(iotTopicProblem(`t/${'x'.repeat(300)}`)).toMatch(/256 bytes/)
    expect(iotTopicProblem('parklink/v1/+/+/data')).toMatch(/wildcard/)
    expect(iotTopicProblem('parklink/v1/+/+/data', true)).toBeNull()
    expect(() => checkIotTopics(['a/b/c/d/e/f/g/h/i'], 'site and edge')).toThrow(
      expect.objectContaining({ code: 'PL_CONFIG_INVALID', message: expect.stringContaining('site and edge:') }),
    )
  })
})
