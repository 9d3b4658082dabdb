import { describe, expect, it } from 'vitest'
import {
  ChatterConfig,
  chatterDue,
  initialChatterState,
  recordActivation,
  settleChatter,
  type ChatterChange,
  type ChatterState,
} from './chatter.ts'

function play(steps: Array<['raise' | 'tick', number]>, config: Partial<ChatterConfig> = {}): ChatterChange[] {
  const c = ChatterConfig.parse(config)
  let state: ChatterState = initialChatterState()
  const changes: ChatterChange[] = []
  for (const [what, ts] of steps) {
    const r = what === 'raise' ? recordActivation(c, state, ts) : settleChatter(c, state, ts)
    state = r.state
    if (r.change) changes.push(r.change)
  }
  return changes
}

describe('chattering (≥ 3 activations in 60 s by default)', () => {
  it.each([
    [
      'two raises in a minute are not chattering',
      [
        ['raise', 0],
        ['raise', 30_000],
        ['tick', 120_000],
      ],
      [],
    ],
    [
      'three raises within 60 s are',
      [
        ['raise', 0],
        ['raise', 20_000],
        ['raise', 59_000],
      ],
      [{ chattering: true, at: 59_000 }],
    ],
    [
      'three raises spread over more than 60 s are not',
      [
        ['raise', 0],
        ['raise', 30_000],
        ['raise', 60_000],
      ],
      [],
    ],
    [
      'it ends once a window passes with fewer than three',
      [
        ['raise', 0],
        ['raise', 1_000],
        ['raise', 2_000],
        ['tick', 30_000],
        ['tick', 60_001],
      ],
      [
        { chattering: true, at: 2_000 },
        { chattering: false, at: 60_001 },
      ],
    ],
    [
      'a fourth raise does not announce it again',
      [
        ['raise', 0],
        ['raise', 1_000],
        ['raise', 2_000],
        ['raise', 3_000],
      ],
      [{ chattering: true, at: 2_000 }],
    ],
  ] as const)('%s', (_name, steps, expected) => {
    expect(play(steps as unknown as Array<['raise' | 'tick', number]>)).toEqual(expected)
  })

  it('is configurable, and tells the shell when to look again', () => {
    expect(
      play(
        [
          ['raise', 0],
          ['raise', 100],
        ],
        { count: 2, windowMs: 1_000 },
      ),
    ).toEqual([{ chattering: true, at: 100 }])
    const c = ChatterConfig.parse({})
    expect(chatterDue(c, initialChatterState())).toBeNull()
    expect(chatterDue(c, recordActivation(c, initialChatterState(), 5_000).state)).toBe(65_000)
    expect(ChatterConfig.safeParse({ count: 1 }).success).toBe(false)
  })
})
