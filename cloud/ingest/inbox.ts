/**
 * The cloud's inbound queue, between the MQTT client and the handlers: one message handled at a
 * time, LIVE first. During an edge's drain the broker delivers its backlog and its live batches
 * interleaved; handled in arrival order, a live batch waits behind every backlog batch before
 * it. Here it overtakes them, but not without end: after `liveBurst` live messages in a row
 * while backlog waits, one backlog message is handled. A cloud that only just keeps up with
 * live data (PostgreSQL on a loaded machine, in the fault campaign) otherwise never reaches the
 * backlog, and the edges resend it for ever.
 *
 * To see what is behind, a message is taken off the broker (PUBACK) before it is handled, up to
 * `highWater` waiting; beyond that, PUBACK waits until the message is handled and the broker
 * holds the rest (backpressure, as without the queue). An early PUBACK loses nothing: an edge
 * deletes a batch only when the cloud's own ack says it is stored, and resends otherwise.
 */
export type Lane = 'live' | 'backlog'

export interface Inbox<M> {
  push(message: M, lane: Lane, done: () => void): void
  /** Messages waiting (not counting the one being handled). */
  size(): number
  /**
   * Stops taking new work: waits for the message being handled and, within `graceMs`, the ones
   * waiting; returns how many were left unhandled (PUBACKed ones the edges will resend).
   */
  close(graceMs: number): Promise<number>
}

interface Job<M> {
  message: M
  /** The PUBACK still owed (null: already given). */
  done: (() => void) | null
}

export function createInbox<M>(
  handle: (message: M) => Promise<void>,
  options: { highWater?: number; liveBurst?: number; now?: () => number } = {},
): Inbox<M> {
  const highWater = options.highWater ?? 64
  const liveBurst = options.liveBurst ?? 8
  const now = options.now ?? Date.now
  const lanes: Record<Lane, Job<M>[]> = { live: [], backlog: [] }
  let running: Promise<void> | null = null
  let closing = false

  const size = () => lanes.live.length + lanes.backlog.length
  let liveInARow = 0 // live messages handled since backlog last had a turn, while it waited
  const next = (): Job<M> | undefined => {
    if (lanes.backlog.length === 0) liveInARow = 0
    else if (lanes.live.length === 0 || liveInARow >= liveBurst) {
      liveInARow = 0
      return lanes.backlog.shift()
    }
    const job = lanes.live.shift()
    if (job && lanes.backlog.length > 0) liveInARow++
    return job
  }

  async function run(): Promise<void> {
    while (!closing) {
      const job = next()
      if (!job) return
      try {
        await handle(job.message)
      } finally {
        job.done?.()
      }
    }
  }
  const kick = () => {
    running ??= run().finally(() => {
      running = null
      if (size() > 0 && !closing) kick()
    })
  }

  return {
    push(message, lane, done) {
      const early = size() < highWater
      lanes[lane].push({ message, done: early ? null : done })
      kick()
      // Only once queued: a PUBACK may make the MQTT client hand over the next message at once
      // (synchronously, when it held one back), which must queue behind this one.
      if (early) done()
    },
    size,
    async close(graceMs) {
      const deadline = now() + graceMs
      while (running && size() > 0 && now() < deadline) await running
      closing = true
      await running
      const left = size()
      // Owed PUBACKs are not given: the broker redelivers those to the cloud's session.
      lanes.live.length = 0
      lanes.backlog.length = 0
      return left
    },
  }
}
