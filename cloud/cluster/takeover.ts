import type { Clock } from '../../shared/clock.ts'
import type { AckTracker } from '../ingest/ack-tracker.ts'
import type { Store } from '../store/store.ts'

/**
 * An edge this replica just took (issue 16): its ack marks come from the store, the edge's only
 * (read under its batch lock: a batch the previous owner was storing has committed or rolled
 * back), and the batches that were waiting for a hole that is filled now are evaluated, as the
 * whole tracker is at a single process's start (cloud/service.ts). What the previous owner took
 * off the broker but never stored comes again: ingest asks the edge to resend after this.
 */
export function takeoverOf(deps: { store: Store; tracker: AckTracker; clock: Clock }) {
  return async (edge: string): Promise<void> => {
    deps.tracker.forget(edge)
    const states = await deps.store.loadAckStates(edge)
    deps.tracker.adopt(states)
    for (const { outbox } of states)
      await deps.store.evaluateThrough(edge, deps.tracker.through(edge, outbox), deps.clock.now(), outbox)
  }
}
