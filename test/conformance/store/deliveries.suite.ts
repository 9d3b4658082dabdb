import { afterEach, beforeEach, describe, expect } from 'vitest'
import type { NewAlarm } from '../../../cloud/alarms/engine/writes.ts'
import type { PlannedPush } from '../../../cloud/notify/plan.ts'
import type { DeliveryRepo } from '../../../cloud/store/repos/deliveries.ts'
import type { Store } from '../../../cloud/store/store.ts'
import {
  LEVEL,
  PRESSURE,
  registry,
  type SeedAlarm,
  type SeededHandle,
  type SeededSectionOptions,
  sectionTest,
  T0,
} from './fixtures.ts'

/** What the deliveries section needs: the ledger (DeliveryRepo), and the registry that scopes alarms. */
export type DeliveryRepos = DeliveryRepo & Pick<Store, 'applyRegistry'>

const MIN = 60_000
const alarm = (point: string, more: Partial<NewAlarm> = {}): NewAlarm => ({
  point,
  kind: 'H',
  priority: 'A',
  raisedAt: T0,
  value: 9.7,
  limit: 9.5,
  ...more,
})
const push = (recipient: string, dueAt: number, more: Partial<PlannedPush> = {}): PlannedPush => ({
  recipient,
  channel: 'webhook',
  dueAt,
  n: 1,
  ...more,
})

/** DeliveryRepo (cloud/store/repos/deliveries.ts) as executable tests: due pushes, outcomes, backoff, an alarm's pushes. */
export function runDeliveryTests(options: SeededSectionOptions<DeliveryRepos>): void {
  const test = sectionTest(options.skip)
  describe(`Store conformance: ${options.name} — deliveries`, () => {
    let handle: SeededHandle<DeliveryRepos>
    let repos: DeliveryRepos
    const seed: SeedAlarm = (alarm, pushes) => handle.seedAlarm(alarm, pushes)
    beforeEach(async () => {
      handle = await options.newRepos({})
      repos = handle.repos
      await repos.applyRegistry(registry)
    })
    afterEach(() => handle.dispose())
    const who = (list: Array<{ recipient: string; channel: string }>) => list.map((d) => `${d.recipient}/${d.channel}`)

    test('deliveries: due once pending and their time has come, soonest first, at most the limit', async () => {
      const id = await seed(alarm(LEVEL), [
        push('ops', T0 + 10),
        push('ops', T0 + 5, { channel: 'sms' }),
        push('boss', T0 + 20, { n: 2 }),
      ])
      const [first] = await repos.duePushes(T0 + 9, 10)
      expect(first).toEqual({
        id: expect.any(Number),
        alarm: id,
        recipient: 'ops',
        channel: 'sms',
        n: 1,
        dueAt: T0 + 5,
        nextAt: T0 + 5,
        attempts: 0,
        status: 'pending',
        lastError: null,
        doneAt: null,
        reason: 'alarm',
      })
      expect(who(await repos.duePushes(T0 + 9, 10))).toEqual(['ops/sms'])
      expect(who(await repos.duePushes(T0 + 20, 10))).toEqual(['ops/sms', 'ops/webhook', 'boss/webhook'])
      expect(who(await repos.duePushes(T0 + 20, 2))).toEqual(['ops/sms', 'ops/webhook'])
      expect(await repos.duePushes(T0 + 4, 10)).toEqual([])
    })

    test('deliveries: a failed attempt waits for its next time; a sent, failed or skipped push is never due again', async () => {
      await seed(alarm(LEVEL), [push('ops', T0), push('boss', T0), push('duty', T0)])
      const byWho = async () => new Map((await repos.duePushes(T0 + 10 * MIN, 10)).map((d) => [d.recipient, d]))
      const due = await byWho()
      await repos.recordPush(due.get('ops')!.id, {
        status: 'pending',
        attempts: 1,
        at: T0 + 1,
        error: 'HTTP 503',
        nextAt: T0 + MIN,
      })
      await repos.recordPush(due.get('boss')!.id, { status: 'skipped', attempts: 0, at: T0 + 1, error: 'closed' })
      expect(who(await repos.duePushes(T0 + MIN - 1, 10))).toEqual(['duty/webhook'])
      expect((await repos.duePushes(T0 + MIN, 10)).find((d) => d.recipient === 'ops')).toMatchObject({
        nextAt: T0 + MIN,
        attempts: 1,
        status: 'pending',
        lastError: 'HTTP 503',
        doneAt: null,
      })
      await repos.recordPush(due.get('ops')!.id, { status: 'sent', attempts: 2, at: T0 + MIN + 1 })
      await repos.recordPush(due.get('duty')!.id, { status: 'failed', attempts: 3, at: T0 + 2, error: 'timeout' })
      expect(await repos.duePushes(T0 + 10 * MIN, 10)).toEqual([])
      const stored = new Map((await repos.alarmDeliveries(due.get('ops')!.alarm, 'all')).map((d) => [d.recipient, d]))
      // A success keeps the last error it overcame.
      expect(stored.get('ops')).toMatchObject({
        status: 'sent',
        attempts: 2,
        doneAt: T0 + MIN + 1,
        lastError: 'HTTP 503',
      })
      expect(stored.get('boss')).toMatchObject({ status: 'skipped', attempts: 0, doneAt: T0 + 1, lastError: 'closed' })
      expect(stored.get('duty')).toMatchObject({ status: 'failed', attempts: 3, doneAt: T0 + 2, lastError: 'timeout' })
    })

    test('deliveries: the first finished outcome stays (a second dispatcher recording the same push changes nothing)', async () => {
      await seed(alarm(LEVEL), [push('ops', T0)])
      const [d] = await repos.duePushes(T0, 10)
      await repos.recordPush(d!.id, { status: 'sent', attempts: 1, at: T0 + 1 })
      await repos.recordPush(d!.id, { status: 'failed', attempts: 1, at: T0 + 2, error: 'late' })
      await repos.recordPush(d!.id, { status: 'pending', attempts: 1, at: T0 + 3, error: 'late', nextAt: T0 + 4 })
      expect(await repos.alarmDeliveries(d!.alarm, 'all')).toEqual([
        { ...d, status: 'sent', attempts: 1, doneAt: T0 + 1 },
      ])
    })

    test("deliveries: an alarm's pushes in due order, only its own, and none for an alarm outside the scope", async () => {
      const level = await seed(alarm(LEVEL), [
        push('ops', T0 + 2 * MIN, { n: 2 }),
        push('ops', T0),
        push('ops', T0 + 5 * MIN, { reason: 'overdue' }),
      ])
      const pressure = await seed(alarm(PRESSURE, { raisedAt: T0 + 1, recovered: { at: T0 + 2, value: 0.5 } }), [
        push('fq', T0 + 1),
      ])
      const mine = await repos.alarmDeliveries(level, { enterprise: 'shilian' })
      expect(mine.map((d) => [d.n, d.dueAt, d.reason])).toEqual([
        [1, T0, 'alarm'],
        [2, T0 + 2 * MIN, 'alarm'],
        [1, T0 + 5 * MIN, 'overdue'],
      ])
      expect(await repos.alarmDeliveries(level, 'all')).toEqual(mine)
      expect(await repos.alarmDeliveries(level, { enterprise: 'fuqiang' })).toEqual([])
      expect(who(await repos.alarmDeliveries(pressure, { enterprise: 'fuqiang' }))).toEqual(['fq/webhook'])
      expect(await repos.alarmDeliveries(pressure + level + 1000, 'all')).toEqual([])
      // An alarm of no registered point belongs to no enterprise.
      const system = await seed(alarm('edge:shilian-01', { kind: 'OFFLINE' }), [push('ops', T0)])
      expect(await repos.alarmDeliveries(system, 'all')).toHaveLength(1)
      expect(await repos.alarmDeliveries(system, { enterprise: 'shilian' })).toEqual([])
    })
  })
}
