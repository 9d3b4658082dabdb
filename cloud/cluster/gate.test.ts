import { describe, expect, it } from 'vitest'
import { createLogger } from '../log.ts'
import { steppedClock } from '../../test/util/stepped-clock.ts'
import { createEdgeGate } from './gate.ts'

/**
 * The ingest gate's decisions (cloud/cluster/gate.ts), with the lock session replaced by a table
 * of who holds which edge: messages of an edge being claimed wait in arrival order and go on only
 * after the takeover; another replica's edge is dropped until claimRetryMs has passed, then tried
 * again; a lost session drops every owned edge (and what was kept of it).
 */
function setup(holders: Map<string, string>) {
  const clock = steppedClock(0)
  const events: string[] = []
  const gate = createEdgeGate({
    claim: async (edge) => {
      events.push(`claim ${edge}`)
      if (holders.has(edge) && holders.get(edge) !== 'me') return false
      holders.set(edge, 'me')
      return true
    },
    release: async (edge) => {
      holders.delete(edge)
    },
    takeover: async (edge) => {
      events.push(`takeover ${edge}`)
    },
    forget: (edge) => events.push(`forget ${edge}`),
    live: () => true,
    retryMs: 1_000,
    clock,
    log: createLogger({ level: 'silent' }),
  })
  gate.onAcquired((edge) => events.push(`acquired ${edge}`))
  return { gate, clock, events }
}

describe('the ingest gate of a replica', () => {
  it('claims an unknown edge once; its messages wait for the takeover, in order', async () => {
    const { gate, events } = setup(new Map())
    const first = gate.admit('e1')
    const second = gate.admit('e1')
    expect(first).toBeInstanceOf(Promise)
    expect(second).toBe(first)
    const order: number[] = []
    void (first as Promise<boolean>).then(() => order.push(1))
    void (second as Promise<boolean>).then(() => order.push(2))
    expect(await first).toBe(true)
    expect(order).toEqual([1, 2])
    expect(events).toEqual(['claim e1', 'takeover e1', 'acquired e1'])
    expect(gate.admit('e1')).toBe('own')
    expect(gate.owns('e1')).toBe(true)
  })

  it("drops another replica's edge until the retry time, then tries its lock again", async () => {
    const holders = new Map([['e2', 'other']])
    const { gate, clock, events } = setup(holders)
    expect(await gate.admit('e2')).toBe(false)
    expect(gate.admit('e2')).toBe('foreign')
    clock.set(999)
    expect(gate.admit('e2')).toBe('foreign')
    // The other replica died: its lock is free; the next message after the retry time takes the edge.
    holders.delete('e2')
    clock.set(1_000)
    expect(await gate.admit('e2')).toBe(true)
    expect(events.filter((e) => e === 'claim e2')).toHaveLength(2)
    expect(gate.owns('e2')).toBe(true)
  })

  it('a lost session drops every owned edge and forgets it; the next message claims again', async () => {
    const { gate, events } = setup(new Map())
    await gate.admit('e1')
    await gate.admit('e3')
    gate.lost()
    expect(gate.owns('e1')).toBe(false)
    expect(gate.owned()).toEqual([])
    expect(events).toContain('forget e1')
    expect(events).toContain('forget e3')
    expect(await gate.admit('e1')).toBe(true)
  })

  it('a takeover that fails gives the lock back and leaves the edge for a later try', async () => {
    const holders = new Map<string, string>()
    const failing = createEdgeGate({
      claim: async (edge) => {
        holders.set(edge, 'me')
        return true
      },
      release: async (edge) => {
        holders.delete(edge)
      },
      takeover: async () => {
        throw new Error('database away')
      },
      forget: () => {},
      live: () => true,
      retryMs: 1_000,
      clock: steppedClock(0),
      log: createLogger({ level: 'silent' }),
    })
    expect(await failing.admit('e4')).toBe(false)
    expect(holders.has('e4')).toBe(false)
    expect(failing.admit('e4')).toBe('foreign')
    expect(failing.owns('e4')).toBe(false)
  })
})
