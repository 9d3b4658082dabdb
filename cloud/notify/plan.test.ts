import { describe, expect, it } from 'vitest'
import { Recipient } from './config.ts'
import { planPushes, pushPlanner, type PlannedPush } from './plan.ts'
import type { PushPlanner } from '../store/store.ts'

const MIN = 60_000
const people = [
  { id: 'bureau', name: '园区领导', category: 'park-supervision', channels: ['sms'], phone: '13800000001' },
  {
    id: 'sl-boss',
    name: '实联负责人',
    category: 'principal',
    enterprise: 'shilian',
    channels: ['sms'],
    phone: '13800000002',
  },
  {
    id: 'sl-director',
    name: '实联安全总监',
    category: 'safety-director',
    enterprise: 'shilian',
    channels: ['webhook'],
  },
  { id: 'sl-officer', name: '实联安全员', category: 'safety-officer', enterprise: 'shilian', channels: ['webhook'] },
  { id: 'fq-officer', name: '富强安全员', category: 'safety-officer', enterprise: 'fuqiang', channels: ['webhook'] },
  { id: 'duty', name: '值班专员', category: 'special', channels: ['webhook'] },
].map((r) => Recipient.parse(r))
const show = (p: PlannedPush) => `${p.dueAt / MIN}m ${p.recipient} ${p.channel}${p.n > 1 ? ` #${p.n}` : ''}`
/** Both occasions, the enterprise's categories told on a valid triage at once (time 0), as the brief's table has it. */
const plan = (priority: 'S' | 'A' | 'B' | 'C' | 'D') => {
  const alarm = { priority, raisedAt: 0, enterprise: 'shilian' }
  return [...planPushes(alarm, people), ...planPushes(alarm, people, {}, { on: 'valid', at: 0 })]
    .sort((a, b) => a.dueAt - b.dueAt || a.recipient.localeCompare(b.recipient))
    .map(show)
}

describe('push schedules (brief §5)', () => {
  it('S: everyone of the enterprise at once, special every minute × 3, the bureau once after 3 min', () => {
    expect(plan('S')).toEqual([
      '0m duty webhook',
      '0m sl-boss sms',
      '0m sl-director webhook',
      '0m sl-officer webhook',
      '1m duty webhook #2',
      '2m duty webhook #3',
      '3m bureau sms',
    ])
  })
  it.each([
    [
      'A',
      [
        '0m duty webhook',
        '0m sl-boss sms',
        '0m sl-director webhook',
        '0m sl-officer webhook',
        '1m duty webhook #2',
        '2m duty webhook #3',
      ],
    ],
    [
      'B',
      [
        '0m duty webhook',
        '0m sl-director webhook',
        '0m sl-officer webhook',
        '1m duty webhook #2',
        '2m duty webhook #3',
      ],
    ],
    ['C', ['0m duty webhook', '0m sl-officer webhook', '1m duty webhook #2', '2m duty webhook #3']],
    ['D', ['0m duty webhook', '1m duty webhook #2', '2m duty webhook #3']],
  ] as const)('%s', (priority, expected) => {
    expect(plan(priority)).toEqual(expected)
  })
  it('a schedule can be changed by configuration', () => {
    const p = planPushes({ priority: 'B', raisedAt: 0, enterprise: 'shilian' }, people, {
      'park-supervision': { priorities: ['S', 'A', 'B'], delayMin: 10, times: 2, everyMin: 30 },
    })
    expect(p.filter((x) => x.recipient === 'bureau').map((x) => x.dueAt / MIN)).toEqual([10, 40])
  })
  it('the park is told at the raise; the enterprise once the alarm is triaged valid, counted from then (001: 确认为真实有效报警后推送)', () => {
    const alarm = { priority: 'S' as const, raisedAt: 0, enterprise: 'shilian' }
    expect(planPushes(alarm, people).map(show)).toEqual([
      '0m duty webhook',
      '1m duty webhook #2',
      '2m duty webhook #3',
      '3m bureau sms',
    ])
    expect(planPushes(alarm, people, {}, { on: 'valid', at: 5 * MIN }).map(show)).toEqual([
      '5m sl-boss sms',
      '5m sl-director webhook',
      '5m sl-officer webhook',
    ])
    // A category can be told at the raise instead, by configuration.
    expect(
      planPushes(alarm, people, {
        'safety-officer': { priorities: ['S'], delayMin: 0, times: 1, everyMin: 1, pushOn: 'raise' },
      }).map(show),
    ).toContain('0m sl-officer webhook')
  })
  it("the store's planner: a raise plans the raise pushes, a valid triage the others, anything else (and history) nothing", () => {
    // Typed as the store's slot: the planner's narrow parameter types must accept the store's records.
    const planner: PushPlanner = pushPlanner({ recipients: people, schedules: {} })
    const record = (verdict: 'valid' | 'invalid' | null) =>
      ({
        id: 1,
        point: 'p',
        pointName: null,
        enterprise: 'shilian',
        kind: 'HH',
        priority: 'S',
        raisedAt: 0,
        value: 1,
        limit: 1,
        recoveredAt: null,
        recoveredValue: null,
        state: 'active',
        closedAt: null,
        disposal: {
          ack: null,
          feedback: null,
          closed: null,
          triage: verdict ? { verdict, by: 'li', at: 2 * MIN, note: '' } : null,
        },
      }) as unknown as Parameters<typeof planner>[0]
    expect(planner(record(null), { alarm: 1, action: 'raise', at: 0 }).map(show)).toEqual([
      '0m duty webhook',
      '1m duty webhook #2',
      '2m duty webhook #3',
      '3m bureau sms',
    ])
    expect(planner(record(null), { alarm: 1, action: 'raise', at: 0, historical: true })).toEqual([])
    expect(planner(record('valid'), { alarm: 1, action: 'triage', at: 2 * MIN }).map(show)).toEqual([
      '2m sl-boss sms',
      '2m sl-director webhook',
      '2m sl-officer webhook',
    ])
    expect(planner(record('invalid'), { alarm: 1, action: 'triage', at: 2 * MIN })).toEqual([])
    expect(planner(record('valid'), { alarm: 1, action: 'ack', at: 2 * MIN })).toEqual([])
  })
})
