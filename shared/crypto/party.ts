import type { Clock } from '../clock.ts'
import type { CryptoMaterial } from './material.ts'
import { ReplayGuard, SendCounter } from './replay.ts'
import { createSealer, type RevocationCheck, type Sealer } from './sealer.ts'
import { readCryptoState, writeCryptoState, type StateFs } from './state-file.ts'

/** A party's sealer with its replay state kept in `file` (state-file.ts). */
export interface CryptoParty {
  sealer: Sealer
  guard: ReplayGuard
  /** Saves the receive marks (`marks`: what a restart must refuse; default: all accepted). */
  save(marks?: Record<string, number>): void
  /** A problem reading the saved state (started from nothing), for the caller's log. */
  problem: string | null
}

/**
 * Builds the sealer of one party (edge or cloud instance): counters continue above the saved
 * reservation, which is written before it is reached (a synchronous write about every 10
 * minutes, replay.ts), and the receive marks restored. The fs is injected (shared/ does no I/O).
 */
export function createCryptoParty(o: {
  material: CryptoMaterial
  identity: string
  fs: StateFs
  file: string
  clock: Clock
  requireEncrypted?: boolean
  revocation?: RevocationCheck
}): CryptoParty {
  const { state, problem } = readCryptoState(o.fs, o.file)
  const counter = new SendCounter(state.reserved)
  const guard = new ReplayGuard(state.marks)
  let marks = state.marks
  const write = (reserved: number) => {
    state.reserved = reserved
    writeCryptoState(o.fs, o.file, { v: 1, reserved, marks })
  }
  const sealer = createSealer({
    suite: o.material.suite,
    identity: o.identity,
    key: o.material.key,
    cert: o.material.cert,
    ca: o.material.ca,
    now: () => o.clock.now(),
    guard,
    ...(o.requireEncrypted ? { requireEncrypted: true } : {}),
    ...(o.revocation ? { revocation: o.revocation } : {}),
    counter: () => {
      const next = counter.next(o.clock.now())
      if (next.reserve !== null) write(next.reserve)
      return next.value
    },
  })
  return {
    sealer,
    guard,
    problem,
    save(m = guard.marks()) {
      marks = m
      write(state.reserved)
    },
  }
}
