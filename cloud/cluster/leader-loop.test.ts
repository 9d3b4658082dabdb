import { afterEach, describe, expect, it } from 'vitest'
import { systemClock } from '../../shared/clock.ts'
import { captureLogger } from '../../test/cloud/helpers.ts'
import { waitFor } from '../../test/util/wait.ts'
import { type LeaseLock, type Leadership, startLeadership } from './leader.ts'

/**
 * The leadership loop against a lease whose answers the test decides (the PostgreSQL lease itself
 * is leader.test.ts's): what makes a leader stop its jobs, and what keeps a follower from starting.
 */
function fakeLease() {
  const lost = new Set<() => void>()
  const state = {
    free: true,
    acquireFails: false,
    /** stillHeld never answers while set (a hung connection). */
    hang: false,
    held: true,
  }
  const lock: LeaseLock = {
    tryAcquire: async () => {
      if (state.acquireFails) throw new Error('connection refused')
      const got = state.free
      state.free = false
      state.held = got
      return got
    },
    stillHeld: () => (state.hang ? new Promise<boolean>(() => {}) : Promise.resolve(state.held)),
    onLost: (l) => void lost.add(l),
    close: async () => {},
  }
  return { lock, state, dropConnection: () => lost.forEach((l) => l()) }
}

const running: Leadership[] = []
afterEach(async () => {
  for (const l of running.splice(0)) await l.stop()
})

async function lead(lock: LeaseLock) {
  const jobs = { started: 0, stopped: 0 }
  const l = await startLeadership({
    lock,
    clock: systemClock,
    log: captureLogger().log,
    checkMs: 50,
    retryMs: 50,
    start: () => {
      jobs.started++
      return { stop: async () => void jobs.stopped++ }
    },
  })
  running.push(l)
  return { l, jobs }
}

describe('leadership loop', () => {
  it('the lease connection closes: the jobs stop at once, before any check', async () => {
    const lease = fakeLease()
    const { l, jobs } = await lead(lease.lock)
    expect(jobs.started).toBe(1)
    lease.dropConnection()
    await waitFor(() => jobs.stopped === 1)
    expect(l.leading).toBe(false)
  })

  it('a check that does not answer within checkMs counts as lost', async () => {
    const lease = fakeLease()
    const { l, jobs } = await lead(lease.lock)
    lease.state.hang = true
    await waitFor(() => jobs.stopped === 1, { message: 'the jobs stop' })
    expect(l.leading).toBe(false)
  })

  it('a lease that cannot be reached is not led; once it can, the jobs start once', async () => {
    const lease = fakeLease()
    lease.state.acquireFails = true
    const { l, jobs } = await lead(lease.lock)
    expect([l.leading, jobs.started]).toEqual([false, 0])
    lease.state.acquireFails = false
    await waitFor(() => l.leading, { message: 'leads once reachable' })
    expect(jobs).toEqual({ started: 1, stopped: 0 })
  })

  it('stop() stops the jobs and leaves them stopped', async () => {
    const lease = fakeLease()
    const { l, jobs } = await lead(lease.lock)
    await l.stop()
    expect(jobs).toEqual({ started: 1, stopped: 1 })
    expect(l.leading).toBe(false)
  })
})
