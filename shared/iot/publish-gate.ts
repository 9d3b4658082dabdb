import type { Clock, TimerHandle } from '../clock.ts'
import { createTokenBucket } from './token-bucket.ts'

/**
 * Publishes handed to a broker client at a bounded pace (a token bucket) and with a bounded
 * number of QoS 1 publishes unacknowledged, in the order they were submitted; the rest wait
 * here. One gate per connection: a closed gate fails what still waits (the caller's outbox or
 * ack protocol resends it on the next connection).
 */
export interface PublishJob {
  qos: 0 | 1
  /** The payload's size, paced in bytes per second as well. */
  bytes: number
  /** Hands the message to the client; `release` once the broker acked it (or it failed). */
  send(release: () => void): void
  /** The gate was closed before the job was sent. */
  fail(err: Error): void
}

export interface PublishGate {
  submit(job: PublishJob): void
  /** Fails every waiting job; later submissions fail at once. */
  close(err: Error): void
  /** QoS 1 publishes handed over and not yet released, and jobs waiting. */
  stats(): { inflight: number; waiting: number }
}

export interface PublishGateOptions {
  clock: Clock
  perSecond: number
  burst: number
  bytesPerSecond: number
  /** At least the largest message (a larger one waits as if it were this large). */
  burstBytes: number
  maxInflightQos1: number
}

export function createPublishGate(o: PublishGateOptions): PublishGate {
  const bucket = createTokenBucket(o.perSecond, o.burst, () => o.clock.now())
  const bytes = createTokenBucket(o.bytesPerSecond, o.burstBytes, () => o.clock.now())
  const waiting: PublishJob[] = []
  let inflight = 0
  let timer: TimerHandle | null = null
  let closed: Error | null = null

  const drain = () => {
    while (closed === null && timer === null && waiting.length > 0) {
      const job = waiting[0]!
      if (job.qos === 1 && inflight >= o.maxInflightQos1) return // a release drains again
      // Both buckets or neither: nothing is taken while waiting.
      const wait = Math.max(bytes.wait(job.bytes), bucket.wait())
      if (wait > 0) {
        timer = o.clock.setTimeout(() => {
          timer = null
          drain()
        }, wait)
        return
      }
      bytes.take(job.bytes)
      bucket.take()
      waiting.shift()
      if (job.qos === 1) inflight++
      let released = false
      job.send(() => {
        if (released || job.qos === 0) return
        released = true
        inflight--
        drain()
      })
    }
  }
  return {
    submit(job) {
      if (closed !== null) return job.fail(closed)
      waiting.push(job)
      drain()
    },
    close(err) {
      closed ??= err
      if (timer !== null) o.clock.clearTimeout(timer)
      timer = null
      for (const job of waiting.splice(0)) job.fail(err)
    },
    stats: () => ({ inflight, waiting: waiting.length }),
  }
}
