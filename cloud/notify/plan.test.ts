import { describe, expect, it } from 'vitest'
import { Recipient } from './config.ts'
import { planPushes } from './plan.ts'

const MIN = 60_000
const people = [
  { id: 'bureau', name: '园区领导', category: 'park-supervision', channels: ['sms'], phone: '13800000001' },
  { id: 'sl-boss', name: '实联负责人', category: 'principal', enterprise: 'shilian', channels: ['sms'], phone: '13800000002' },
  { id: 'sl-director', name: '实联安全总监', category: 'safety-director', enterprise: 'shilian', channels: ['webhook'] },
  { id: 'sl-officer', name: '实联安全员', category: 'safety-officer', enterprise: 'shilian', channels: ['webhook'] },
  { id: 'fq-officer', name: '富强安全员', category: 'safety-officer', enterprise: 'fuqiang', channels: ['webhook'] },
  { id: 'duty', name: '值班专员', category: 'special', channels: ['webhook'] },
].map((r) => Recipient.parse(r))
const plan = (priority: 'S' | 'A' | 'B' | 'C' | 'D') => planPushes({ priority, raisedAt: 0, enterprise: 'shilian' }, people).map((p) => `${p.dueAt / MIN}m ${p.recipient} ${p.channel}${p.n > 1 ? ` #${p.n}` : ''}`)

describe('push schedules (brief §5)', () => {
  it('S: everyone of the enterprise at once, special every minute × 3, the bureau once after 3 min', () => {
    expect(plan('S')).toEqual(['0m duty webhook', '0m sl-boss sms', '0m sl-director webhook', '0m sl-officer webhook', '1m duty webhook #2', '2m duty webhook #3', '3m bureau sms'])
  })
  it.each([
    ['A', ['0m duty webhook', '0m sl-boss sms', '0m sl-director webhook', '0m sl-officer webhook', '1m duty webhook #2', '2m duty webhook #3']],
    ['B', ['0m duty webhook', '0m sl-director webhook', '0m sl-officer webhook', '1m duty webhook #2', '2m duty webhook #3']],
    ['C', ['0m duty webhook', '0m sl-officer webhook', '1m duty webhook #2', '2m duty webhook #3']],
    ['D', ['0m duty webhook', '1m duty webhook #2', '2m duty webhook #3']],
  ] as const)('%s', (priority, expected) => {
    expect(plan(priority)).toEqual(expected)
  })
  it('a schedule can be changed by configuration', () => {
    const p = planPushes({ priority: 'B', raisedAt: 0, enterprise: 'shilian' }, people, { 'park-supervision': { priorities: ['S', 'A', 'B'], delayMin: 10, times: 2, everyMin: 30 } })
    expect(p.filter((x) => x.recipient === 'bureau').map((x) => x.dueAt / MIN)).toEqual([10, 40])
  })
})
