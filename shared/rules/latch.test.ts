import { describe, expect, it } from 'vitest'
import type { Sample } from '../wire/sample.ts'
import { ChatterConfig } from './chatter.ts'
import { createEvaluator, parseRuleState, type AlarmEvent, type PointRuleState, type RulePoint } from './evaluate.ts'

const point: RulePoint = { id: 'ss.rate', class: 'general', limits: { hh: 10.5, deadband: 0.1 } }
const s = (ts: number, value: number): Sample => ({ point: point.id, ts, value, quality: 'good' })
const fmt = (e: AlarmEvent) =>
  `${e.type}@${e.ts / 1000}${e.type === 'repeat' ? ` #${e.repeats}` : ''}${e.type === 'raise' && e.chattering ? ' chattering' : ''}${e.type === 'recover' && e.repeats !== undefined ? ` after ${e.repeats}` : ''}`

/** One sample per batch, the state persisted as JSON and parsed back, like the stores do. */
function run(evaluate: ReturnType<typeof createEvaluator>, samples: Sample[], start: PointRuleState | null = null) {
  let state = start
  const events: string[] = []
  for (const x of samples) {
    const r = evaluate(point, state, [x])
    if (r.state) state = parseRuleState(JSON.parse(JSON.stringify(r.state)))
    events.push(...r.events.map(fmt))
  }
  return { state, events }
}

/** Across HH every 5 s for 2 minutes (a raise every 10 s), then clear every 5 s until `clearUntilS`. */
const chattering = (clearUntilS: number): Sample[] => [
  ...Array.from({ length: 25 }, (_, i) => s(i * 5_000, i % 2 === 0 ? 11 : 10)),
  ...Array.from({ length: (clearUntilS - 125) / 5 + 1 }, (_, i) => s(125_000 + i * 5_000, 10)),
]

describe('chattering latch (ISA-18.2 §16.6)', () => {
  it('holds a chattering alarm as one episode, counts the repetitions, and recovers once clear for clearHoldS', () => {
    const { events, state } = run(createEvaluator(), chattering(200))
    // Two ordinary episodes, the third raise within 60 s latches; ten repetitions are counted on it.
    expect(events.slice(0, 5)).toEqual(['raise@0', 'recover@5', 'raise@10', 'recover@15', 'raise@20 chattering'])
    expect(events.slice(5, -1)).toEqual(Array.from({ length: 10 }, (_, i) => `repeat@${30 + i * 10} #${i + 1}`))
    // Last clear at 125 s: held until 125 + 60 s.
    expect(events.at(-1)).toBe('recover@185 after 10')
    expect(state?.chatter).toBeUndefined()
  })

  it('keeps the episode held while clear for less than clearHoldS', () => {
    const { events, state } = run(createEvaluator(), chattering(180))
    expect(events.filter((e) => e.startsWith('recover'))).toHaveLength(2)
    expect(state?.chatter?.HH).toMatchObject({ latched: true, repeats: 10, clearSince: 125_000 })
  })

  it('uses the configured count, window and hold', () => {
    const evaluate = createEvaluator(undefined, ChatterConfig.parse({ count: 4, clearHoldS: 30 }))
    const { events } = run(evaluate, chattering(200))
    expect(events.filter((e) => e.endsWith('chattering'))).toEqual(['raise@30 chattering'])
    expect(events.at(-1)).toBe('recover@155 after 9')
  })

  it('with latch off, every raise is an episode (as before)', () => {
    const { events } = run(createEvaluator(undefined, ChatterConfig.parse({ latch: false })), chattering(130))
    expect(events.filter((e) => e.startsWith('raise'))).toHaveLength(13)
    expect(events.filter((e) => e.startsWith('repeat'))).toEqual([])
  })

  it('leaves a point that does not chatter alone: raises and recovers at once', () => {
    const { events } = run(createEvaluator(), [s(0, 10), s(5_000, 11), s(10_000, 10), s(90_000, 11), s(95_000, 10)])
    expect(events).toEqual(['raise@5', 'recover@10', 'raise@90', 'recover@95'])
  })

  it('reads rule states written before latching, and keeps evaluating a held point whose limits were removed', () => {
    const old = parseRuleState({ v: 1, lastTs: 5, threshold: { active: {} } })
    expect(old).toEqual({ v: 1, lastTs: 5, threshold: { active: {} } })
    const held = run(createEvaluator(), chattering(130)).state!
    const r = createEvaluator()({ ...point, limits: null }, held, [s(300_000, 10)])
    expect(r.events.map(fmt)).toEqual(['recover@300 after 10'])
  })
})
