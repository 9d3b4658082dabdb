import type { Clock } from '../../shared/clock.ts'
import type { AlarmChange } from './model.ts'

/**
 * In-process fan-out of alarm changes from the store to live views (the SSE stream of the big
 * screen). A listener that throws is dropped from nothing: it is logged by the caller and the
 * others still hear the change.
 */
/**
 * Timeline actions that are notes on an alarm, not changes the store publishes: a stream
 * resumed from the timeline skips them, as the live stream never carried them.
 */
export const UNSTREAMED_ACTIONS: readonly string[] = ['chattering', 'edge_raise', 'edge_recover', 'refused']

export interface AlarmFeed {
  publish(change: AlarmChange): void
  subscribe(listener: (change: AlarmChange) => void): () => void
  readonly listeners: number
}

export function createAlarmFeed(onError: (err: unknown) => void = () => {}): AlarmFeed {
  const listeners = new Set<(change: AlarmChange) => void>()
  return {
    publish(change) {
      for (const l of listeners) {
        try {
          l(change)
        } catch (err) {
          onError(err)
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
    get listeners() {
      return listeners.size
    },
  }
}

/** A listener's own queue, bounded: a reader that falls behind is given up on, not buffered for without end. */
export interface QueuedSubscription {
  /** The next change; null after `ms` without one, or once closed. */
  next(ms: number): Promise<AlarmChange | null>
  /** Changes waiting (never more than the bound). */
  readonly size: number
  /** True once more than the bound were waiting (the subscription is then closed). */
  readonly overflowed: boolean
  close(): void
}

/**
 * Subscribes with a queue of at most `max` changes. One more while the reader is busy (a slow
 * client: its writes wait on the socket) closes the subscription and calls `onOverflow` once:
 * the caller ends that stream, the client reconnects and reloads what it missed.
 */
export function subscribeQueued(
  feed: AlarmFeed,
  max: number,
  clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>,
  onOverflow: () => void,
): QueuedSubscription {
  const queue: AlarmChange[] = []
  let wake: (() => void) | null = null
  let closed = false
  let overflowed = false
  const close = () => {
    closed = true
    unsubscribe()
    queue.length = 0
    wake?.()
  }
  const unsubscribe = feed.subscribe((change) => {
    if (closed) return
    if (queue.length >= max) {
      overflowed = true
      close()
      onOverflow()
      return
    }
    queue.push(change)
    wake?.()
  })
  return {
    async next(ms) {
      if (!closed && queue.length === 0) {
        await new Promise<void>((resolve) => {
          const timer = clock.setTimeout(resolve, ms)
          wake = () => {
            clock.clearTimeout(timer)
            resolve()
          }
        })
        wake = null
      }
      return closed ? null : (queue.shift() ?? null)
    },
    get size() {
      return queue.length
    },
    get overflowed() {
      return overflowed
    },
    close,
  }
}

/** Open streams counted per identity and in all; a slot is given back when its stream ends. */
export type StreamSlot = { release(): void }
export type StreamSlots = ReturnType<typeof createStreamSlots>

export function createStreamSlots(limits: { perIdentity: number; total: number }) {
  const byIdentity = new Map<string, number>()
  let open = 0
  return {
    /** A slot for `identity`, or which limit refuses it. */
    acquire(identity: string): StreamSlot | 'identity' | 'total' {
      const mine = byIdentity.get(identity) ?? 0
      if (mine >= limits.perIdentity) return 'identity'
      if (open >= limits.total) return 'total'
      byIdentity.set(identity, mine + 1)
      open++
      let released = false
      return {
        release() {
          if (released) return
          released = true
          open--
          const left = (byIdentity.get(identity) ?? 1) - 1
          if (left === 0) byIdentity.delete(identity)
          else byIdentity.set(identity, left)
        },
      }
    },
    get open() {
      return open
    },
    /** Identities with at least one stream open. */
    get identities() {
      return byIdentity.size
    },
  }
}
