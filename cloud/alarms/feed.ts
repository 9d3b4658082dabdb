import type { AlarmChange } from '../store/store.ts'

/**
 * In-process fan-out of alarm changes from the store to live views (the SSE stream of the big
 * screen). A listener that throws is dropped from nothing: it is logged by the caller and the
 * others still hear the change.
 */
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
