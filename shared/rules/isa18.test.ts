import { describe, expect, it } from 'vitest'
import {
  isAnnunciated,
  normalState,
  run,
  transition,
  type AlarmEvent,
  type AlarmEventType,
  type AlarmState,
} from './isa18.ts'

/**
 * Every event in every state, against a table written from ISA-18.2 Figure 5 (not from the
 * code). States: A normal, B active/unacknowledged, C active/acknowledged, D returned to
 * normal/unacknowledged; F shelved, G suppressed (maintenance window), H out of service, each with
 * the process condition active (+) or not (−).
 */
type Name = 'A' | 'B' | 'C' | 'D' | 'F+' | 'F-' | 'G+' | 'G-' | 'H+' | 'H-'
const T = 1_000

const reach: Record<Name, AlarmEvent[]> = {
  A: [],
  B: [{ type: 'activate', ts: T }],
  C: [
    { type: 'activate', ts: T },
    { type: 'ack', ts: T, by: 'op' },
  ],
  D: [
    { type: 'activate', ts: T },
    { type: 'clear', ts: T },
  ],
  'F+': [
    { type: 'activate', ts: T },
    { type: 'shelve', ts: T, by: 'op', reason: 'sensor being cleaned', until: T + 3_600_000 },
  ],
  'F-': [
    { type: 'activate', ts: T },
    { type: 'shelve', ts: T, by: 'op', reason: 'sensor being cleaned', until: T + 3_600_000 },
    { type: 'clear', ts: T },
  ],
  'G+': [
    { type: 'activate', ts: T },
    { type: 'suppress', ts: T, window: 'w1' },
  ],
  'G-': [{ type: 'suppress', ts: T, window: 'w1' }],
  'H+': [
    { type: 'activate', ts: T },
    { type: 'remove_from_service', ts: T, by: 'eng', reason: 'transmitter replaced' },
  ],
  'H-': [{ type: 'remove_from_service', ts: T, by: 'eng', reason: 'transmitter replaced' }],
}

const at = T + 10_000
const events: Record<AlarmEventType, AlarmEvent> = {
  activate: { type: 'activate', ts: at },
  clear: { type: 'clear', ts: at },
  ack: { type: 'ack', ts: at, by: 'op' },
  shelve: { type: 'shelve', ts: at, by: 'op', reason: 'chattering transmitter', until: at + 600_000 },
  unshelve: { type: 'unshelve', ts: at, by: 'op' },
  shelve_expired: { type: 'shelve_expired', ts: T + 3_600_000 },
  suppress: { type: 'suppress', ts: at, window: 'w1' },
  unsuppress: { type: 'unsuppress', ts: at, window: 'w1' },
  remove_from_service: { type: 'remove_from_service', ts: at, by: 'eng', reason: 'out for calibration' },
  return_to_service: { type: 'return_to_service', ts: at, by: 'eng' },
}

// x: refused (an action that does not fit the state; the API answers 409 with the state).
const table: Record<AlarmEventType, Record<Name, Name | 'x'>> = {
  activate: { A: 'B', B: 'B', C: 'C', D: 'B', 'F+': 'F+', 'F-': 'F+', 'G+': 'G+', 'G-': 'G+', 'H+': 'H+', 'H-': 'H+' },
  clear: { A: 'A', B: 'D', C: 'A', D: 'D', 'F+': 'F-', 'F-': 'F-', 'G+': 'G-', 'G-': 'G-', 'H+': 'H-', 'H-': 'H-' },
  ack: { A: 'x', B: 'C', C: 'x', D: 'A', 'F+': 'x', 'F-': 'x', 'G+': 'x', 'G-': 'x', 'H+': 'x', 'H-': 'x' },
  shelve: { A: 'x', B: 'F+', C: 'F+', D: 'F-', 'F+': 'F+', 'F-': 'F-', 'G+': 'x', 'G-': 'x', 'H+': 'x', 'H-': 'x' },
  unshelve: { A: 'x', B: 'x', C: 'x', D: 'x', 'F+': 'B', 'F-': 'A', 'G+': 'x', 'G-': 'x', 'H+': 'x', 'H-': 'x' },
  shelve_expired: { A: 'x', B: 'x', C: 'x', D: 'x', 'F+': 'B', 'F-': 'A', 'G+': 'x', 'G-': 'x', 'H+': 'x', 'H-': 'x' },
  suppress: {
    A: 'G-',
    B: 'G+',
    C: 'G+',
    D: 'G-',
    'F+': 'G+',
    'F-': 'G-',
    'G+': 'G+',
    'G-': 'G-',
    'H+': 'x',
    'H-': 'x',
  },
  unsuppress: { A: 'x', B: 'x', C: 'x', D: 'x', 'F+': 'x', 'F-': 'x', 'G+': 'B', 'G-': 'A', 'H+': 'x', 'H-': 'x' },
  remove_from_service: {
    A: 'H-',
    B: 'H+',
    C: 'H+',
    D: 'H-',
    'F+': 'H+',
    'F-': 'H-',
    'G+': 'H+',
    'G-': 'H-',
    'H+': 'x',
    'H-': 'x',
  },
  return_to_service: {
    A: 'x',
    B: 'x',
    C: 'x',
    D: 'x',
    'F+': 'x',
    'F-': 'x',
    'G+': 'x',
    'G-': 'x',
    'H+': 'B',
    'H-': 'A',
  },
}

function nameOf(s: AlarmState): Name {
  const sign = s.conditionActive ? '+' : '-'
  if (s.overlay?.kind === 'shelved') return `F${sign}`
  if (s.overlay?.kind === 'suppressed') return `G${sign}`
  if (s.overlay?.kind === 'out_of_service') return `H${sign}`
  const core = ({ normal: 'A', unack: 'B', acked: 'C', rtn_unack: 'D' } as const)[s.core]
  // A core state must agree with the condition: A and D are inactive, B and C active.
  expect(s.conditionActive, `core ${core} with condition ${sign}`).toBe(core === 'B' || core === 'C')
  return core
}

function stateNamed(name: Name): AlarmState {
  const r = run(normalState(0), reach[name])
  if (!r.ok) throw new Error(`cannot reach ${name}: ${r.message}`)
  expect(nameOf(r.state)).toBe(name)
  return r.state
}

describe('ISA-18.2 alarm states: every event in every state', () => {
  const cases = Object.entries(table).flatMap(([event, row]) =>
    Object.entries(row).map(([from, expected]) => [from as Name, event as AlarmEventType, expected] as const),
  )
  it.each(cases)('%s + %s → %s', (from, event, expected) => {
    const before = stateNamed(from)
    const result = transition(before, events[event])
    if (expected === 'x') {
      expect(result.ok).toBe(false)
      if (!result.ok) {
        expect(result.state).toBe(before)
        expect(result.message.length).toBeGreaterThan(10)
      }
    } else {
      expect(result.ok, result.ok ? '' : result.message).toBe(true)
      if (result.ok) {
        expect(nameOf(result.state)).toBe(expected)
        expect(result.changed).toBe(result.state !== before)
      }
    }
  })
})

describe('ISA-18.2 details', () => {
  it('records when the core state changed, not when the condition moved under an overlay', () => {
    const r = run(normalState(0), [
      { type: 'activate', ts: 5 },
      { type: 'shelve', ts: 6, by: 'op', reason: 'r', until: 100 },
      { type: 'clear', ts: 7 },
      { type: 'activate', ts: 8 },
    ])
    expect(r.ok && r.state.since).toBe(5)
    const back = r.ok ? transition(r.state, { type: 'unshelve', ts: 9, by: 'op' }) : r
    expect(back.ok && back.state).toMatchObject({ core: 'unack', since: 9 })
  })

  it('a shelve is time-limited: no end, an end in the past, or no reason is refused; expiry before the end is refused', () => {
    const b = stateNamed('B')
    expect(transition(b, { type: 'shelve', ts: 10, by: 'op', reason: 'r', until: 10 }).ok).toBe(false)
    expect(transition(b, { type: 'shelve', ts: 10, by: 'op', reason: '  ', until: 20 }).ok).toBe(false)
    const shelved = transition(b, { type: 'shelve', ts: 10, by: 'op', reason: 'r', until: 20 })
    expect(shelved.ok).toBe(true)
    if (shelved.ok) {
      expect(transition(shelved.state, { type: 'shelve_expired', ts: 19 }).ok).toBe(false)
      expect(transition(shelved.state, { type: 'shelve_expired', ts: 20 })).toMatchObject({
        ok: true,
        state: { core: 'unack', overlay: null },
      })
    }
  })

  it('stays suppressed until the last of overlapping maintenance windows ends', () => {
    const r = run(normalState(0), [
      { type: 'suppress', ts: 1, window: 'w1' },
      { type: 'suppress', ts: 2, window: 'w2' },
      { type: 'activate', ts: 3 },
      { type: 'unsuppress', ts: 4, window: 'w1' },
    ])
    expect(r.ok && r.state.overlay).toEqual({ kind: 'suppressed', windows: ['w2'], since: 1 })
    expect(r.ok && isAnnunciated(r.state)).toBe(false)
    const end = r.ok ? transition(r.state, { type: 'unsuppress', ts: 5, window: 'w2' }) : r
    expect(end.ok && end.state).toMatchObject({ core: 'unack', overlay: null, conditionActive: true })
    expect(end.ok && isAnnunciated(end.state)).toBe(true)
  })

  it('a window replaces a shelve, so the shelve does not resume after the window', () => {
    const r = run(stateNamed('F+'), [
      { type: 'suppress', ts: at, window: 'w9' },
      { type: 'clear', ts: at },
      { type: 'unsuppress', ts: at + 1, window: 'w9' },
    ])
    expect(r.ok && r.state).toMatchObject({ core: 'normal', overlay: null })
  })

  it('an unknown window cannot end a suppression', () => {
    expect(transition(stateNamed('G+'), { type: 'unsuppress', ts: at, window: 'w2' })).toMatchObject({
      ok: false,
      code: 'INVALID_TRANSITION',
    })
  })
})
