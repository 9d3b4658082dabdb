import type { Logger } from 'pino'
import type { Clock } from '../../shared/clock.ts'
import { errorMessage } from '../../shared/errors.ts'
import type { IngestGate } from '../ingest/gate.ts'

export interface EdgeGateOptions {
  /** Tries the edge's owner lock (lease-session.ts). */
  claim(edge: string): Promise<boolean>
  /** Gives the lock back (the takeover failed). */
  release(edge: string): Promise<void>
  /** Makes the edge this replica's (its ack marks rebuilt from the store: takeover.ts); run before any of its messages. */
  takeover(edge: string): Promise<void>
  /** Forgets what this replica kept of an edge it no longer owns. */
  forget(edge: string): void
  /** The lock session is open (IngestGate.down is its negation). */
  live(): boolean
  /** How long an edge another replica owns is left alone before its lock is tried again. */
  retryMs: number
  clock: Clock
  log: Logger
}

type EdgeState =
  | { kind: 'owned' }
  | { kind: 'foreign'; retryAt: number }
  | { kind: 'claiming'; claim: Promise<boolean> }

/**
 * Which edges this replica handles (issue 16), decided from the topic before any costly work.
 * An edge seen for the first time, or whose owner was last seen more than `retryMs` ago, is
 * claimed: while the claim runs its messages wait in arrival order (they chain on the one
 * promise), then go on (won: the takeover ran first) or are acked to the broker and dropped
 * (another replica owns the edge and stores them). The lock session lost: every edge dropped.
 */
export function createEdgeGate(options: EdgeGateOptions): IngestGate & { lost(): void; owned(): string[] } {
  const { clock, log } = options
  const states = new Map<string, EdgeState>()
  const acquired: Array<(edge: string) => void> = []

  const claim = async (edge: string): Promise<boolean> => {
    let won = false
    try {
      won = await options.claim(edge)
      if (won) {
        await options.takeover(edge)
        states.set(edge, { kind: 'owned' })
        log.info({ edge }, 'edge taken: this replica handles it now')
        for (const a of acquired) a(edge)
        return true
      }
    } catch (err) {
      log.warn({ edge, err: errorMessage(err) }, 'edge not taken (its messages are left to the edge to resend)')
      options.forget(edge)
      if (won) await options.release(edge).catch(() => {})
    }
    states.set(edge, { kind: 'foreign', retryAt: clock.now() + options.retryMs })
    return false
  }

  return {
    admit(edge) {
      const state = states.get(edge)
      if (state?.kind === 'owned') return 'own'
      if (state?.kind === 'claiming') return state.claim
      if (state?.kind === 'foreign' && clock.now() < state.retryAt) return 'foreign'
      const pending = claim(edge)
      // A claim settles synchronously never: the state is 'claiming' until it does.
      states.set(edge, { kind: 'claiming', claim: pending })
      return pending
    },
    owns: (edge) => states.get(edge)?.kind === 'owned',
    down: () => !options.live(),
    onAcquired(listener) {
      acquired.push(listener)
    },
    lost() {
      for (const [edge, state] of states)
        if (state.kind === 'owned') {
          options.forget(edge)
          states.delete(edge)
        }
    },
    owned: () => [...states].filter(([, s]) => s.kind === 'owned').map(([edge]) => edge),
  }
}
