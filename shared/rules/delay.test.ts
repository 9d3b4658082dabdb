import { describe, expect, it } from 'vitest'
import { DelayConfig, due, initialDelayState, observe, settle, type DelayChange, type DelayState } from './delay.ts'

/** Feeds (ts, raw) observations and `tick` times in order; returns every effective change. */
function play(config: Partial<DelayConfig>, steps: Array<[number, boolean] | ['tick', number]>): DelayChange[] {
  const c = DelayConfig.parse(config)
  let state: DelayState = initialDelayState(0)
  const changes: DelayChange[] = []
  for (const step of steps) {
    const r = step[0] === 'tick' ? settle(c, state, step[1]) : observe(c, state, step[1] as boolean, step[0])
    state = r.state
    changes.push(...r.changes)
  }
  return changes
}

describe('on-delay / off-delay', () => {
  it.each([
    [
      'no delays: raise and recover at once',
      {},
      [
        [10, true],
        [20, false],
      ],
      [
        { to: true, at: 10 },
        { to: false, at: 20 },
      ],
    ],
    [
      'on-delay filters a spike shorter than the delay',
      { onDelayMs: 5_000 },
      [
        [0, false],
        [1_000, true],
        [3_000, false],
        [10_000, false],
      ],
      [],
    ],
    [
      'on-delay raises once the condition held, at the time it elapsed',
      { onDelayMs: 5_000 },
      [
        [1_000, true],
        [2_000, true],
        [7_000, true],
      ],
      [{ to: true, at: 6_000 }],
    ],
    [
      'a persisting condition with no new sample raises on the timer',
      { onDelayMs: 5_000 },
      [
        [1_000, true],
        ['tick', 5_999],
        ['tick', 6_000],
      ],
      [{ to: true, at: 6_000 }],
    ],
    [
      'off-delay holds the alarm through a short dip',
      { offDelayMs: 10_000 },
      [
        [0, true],
        [5_000, false],
        [8_000, true],
        [30_000, true],
      ],
      [{ to: true, at: 0 }],
    ],
    [
      'off-delay recovers once clear for the whole delay',
      { offDelayMs: 10_000 },
      [
        [0, true],
        [5_000, false],
        [15_000, false],
      ],
      [
        { to: true, at: 0 },
        { to: false, at: 15_000 },
      ],
    ],
    [
      'both delays: a change that became due is kept even if the next sample undoes it',
      { onDelayMs: 2_000, offDelayMs: 2_000 },
      [
        [0, true],
        [5_000, false],
        [6_000, true],
      ],
      [{ to: true, at: 2_000 }],
    ],
    [
      'due on-delay then an immediate recovery: both changes',
      { onDelayMs: 2_000 },
      [
        [0, true],
        [5_000, false],
      ],
      [
        { to: true, at: 2_000 },
        { to: false, at: 5_000 },
      ],
    ],
    [
      'late observations are ignored',
      { onDelayMs: 1_000 },
      [
        [5_000, true],
        [4_000, false],
        [6_000, true],
      ],
      [{ to: true, at: 6_000 }],
    ],
  ] as const)('%s', (_name, config, steps, expected) => {
    expect(play(config, steps as unknown as Array<[number, boolean] | ['tick', number]>)).toEqual(expected)
  })

  it('tells the shell when to look again', () => {
    const c = DelayConfig.parse({ onDelayMs: 5_000, offDelayMs: 1_000 })
    let s = initialDelayState(0)
    expect(due(c, s)).toBeNull()
    s = observe(c, s, true, 100).state
    expect(due(c, s)).toBe(5_100)
    s = settle(c, s, 5_100).state
    expect(due(c, s)).toBeNull()
    s = observe(c, s, false, 6_000).state
    expect(due(c, s)).toBe(7_000)
  })

  it('rejects negative delays', () => {
    expect(DelayConfig.safeParse({ onDelayMs: -1 }).success).toBe(false)
  })
})
