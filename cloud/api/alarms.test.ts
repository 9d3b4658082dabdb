import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Hono } from 'hono'
import {
  LEVEL,
  NH3,
  T0,
  batch,
  captureLogger,
  good,
  manualClock,
  tempStore,
  testAuth,
  testUser,
  TEST_PASSWORD,
} from '../../test/cloud/helpers.ts'
import { steppedClock } from '../../test/util/stepped-clock.ts'
import type { Role } from '../auth/roles.ts'
import type { Clock } from '../../shared/clock.ts'
import { createAlarmFeed, type AlarmFeed } from '../alarms/feed.ts'
import { startAlarmReminders } from '../alarms/reminders.ts'
import { createMetrics } from '../metrics.ts'
import type { Store } from '../store/store.ts'
import { createApp } from './app.ts'

const MIN = 60_000
const meta = { site: 'huaian', receivedAt: T0 }
let env: Awaited<ReturnType<typeof tempStore>>
let store: Store
let feed: AlarmFeed
let app: Hono
let auth: ReturnType<typeof testAuth>
let people: Set<string>
const clock = manualClock()
const log = captureLogger().log

/** The people of these tests: the center's operators, an engineer, an enterprise's safety officer. */
const PEOPLE: Record<string, [Role, string?]> = {
  'center-li': ['park_operator'],
  'center-wu': ['park_operator'],
  'eng-wang': ['park_admin'],
  'shilian-wang': ['enterprise_user', 'shilian'],
  x: ['enterprise_user', 'shilian'],
}
function newApp(c: Clock) {
  auth = testAuth(store, c)
  people = new Set()
  app = createApp({ store, clock: c, metrics: createMetrics(T0), log, alarmFeed: feed, ...auth })
}
/** A fresh login each time: the tests move the clock by hours, past any access token's life. */
async function tokenOf(name: string) {
  if (people.has(name)) return (await auth.auth.login(name, TEST_PASSWORD)).tokens.accessToken
  people.add(name)
  return testUser(auth, name, ...(PEOPLE[name] ?? ['park_operator']))
}

async function call(method: 'GET' | 'POST', path: string, body?: unknown, as = 'center-li') {
  const headers = { authorization: `Bearer ${await tokenOf(as)}`, 'content-type': 'application/json' }
  const res = await app.request(
    path,
    body === undefined ? { method, headers } : { method, body: JSON.stringify(body), headers },
  )
  return { status: res.status, body: (await res.json()) as any }
}
/** A workflow step taken by the person `by` names: they log in, the body goes without it (the actor is the identity). */
const post = (path: string, { by, ...body }: { by: string } & Record<string, unknown>) => call('POST', path, body, by)
const get = (path: string) => call('GET', path)

beforeEach(async () => {
  feed = createAlarmFeed()
  env = await tempStore(undefined, (c) => feed.publish(c))
  store = env.store
  clock.set(T0)
  newApp(clock)
})
afterEach(async () => {
  await env.dispose()
})

describe("the park's workflow through the HTTP API", () => {
  it('raise → overdue → ack → triage → re-contact → recover → feedback → close, each on the timeline', async () => {
    // TK-101 level 11 m: over H (9.5) and HH (10.5) of an MHS point → A and S alarms.
    await store.ingestBatch(batch(1, [good(LEVEL, T0, 11)]), meta)
    const listed = (await get('/api/v1/alarms')).body as any[]
    const hh = listed.find((a) => a.kind === 'HH')
    expect(hh).toMatchObject({
      priority: 'S',
      state: 'active',
      closedAt: null,
      responseDueAt: T0 + 3 * MIN,
      overdue: false,
      provincial: { alarmType: '02', alarmStatus: '01', disposalStatus: '01', falseAlarm: 0 },
    })
    const reminders = startAlarmReminders({ store, clock, log, intervalMs: 3_600_000 })
    try {
      clock.set(T0 + 4 * MIN)
      await reminders.runOnce() // both unanswered after 3 min: overdue
      expect((await get(`/api/v1/alarms/${hh.id}`)).body).toMatchObject({ overdue: true })

      expect((await post(`/api/v1/alarms/${hh.id}/ack`, { by: 'center-li' })).body).toMatchObject({
        disposal: { ack: { by: 'center-li', at: T0 + 4 * MIN } },
        provincial: { disposalStatus: '02' },
      })
      const again = await post(`/api/v1/alarms/${hh.id}/ack`, { by: 'center-wu' })
      expect(again).toMatchObject({
        status: 409,
        body: {
          error: { code: 'PL_STATE_CONFLICT', message: 'already acknowledged by center-li' },
          alarm: { id: hh.id },
        },
      })
      await post(`/api/v1/alarms/${hh.id}/triage`, {
        by: 'center-li',
        verdict: 'valid',
        note: '已电话核实，罐区现场确认',
      })

      clock.set(T0 + 10 * MIN)
      expect(await reminders.runOnce()).toBe(1) // valid, not recovered after 10 min: contact the enterprise again
      await reminders.runOnce()
      expect((await post(`/api/v1/alarms/${hh.id}/close`, { by: 'center-li', note: 'x' })).body.error.message).toMatch(
        /after its value recovered/,
      )

      await store.ingestBatch(batch(2, [good(LEVEL, T0 + 12 * MIN, 9)]), meta)
      expect((await get(`/api/v1/alarms/${hh.id}`)).body).toMatchObject({
        state: 'recovered',
        recoveredAt: T0 + 12 * MIN,
        closedAt: null,
        provincial: { alarmStatus: '02' },
      })
      clock.set(T0 + 15 * MIN)
      await post(`/api/v1/alarms/${hh.id}/feedback`, {
        by: 'shilian-wang',
        cause: '进料阀卡涩',
        measures: '切换备用阀，液位回落',
      })
      const closed = await post(`/api/v1/alarms/${hh.id}/close`, { by: 'center-li' })
      expect(closed.body).toMatchObject({
        closedAt: T0 + 15 * MIN,
        disposal: { closed: { by: 'center-li' } },
        provincial: { alarmStatus: '03', disposalStatus: '03' },
      })
      expect((await post(`/api/v1/alarms/${hh.id}/feedback`, { by: 'x', cause: 'c', measures: 'm' })).status).toBe(409)

      const timeline = (await get(`/api/v1/alarms/${hh.id}/timeline`)).body as any[]
      expect(timeline.map((e) => [e.action, e.actor, (e.at - T0) / MIN])).toEqual([
        ['raise', 'system', 0],
        ['overdue', 'system', 3],
        ['ack', 'center-li', 4],
        ['triage', 'center-li', 4],
        ['recontact_due', 'system', 10],
        ['recover', 'system', 12],
        ['feedback', 'shilian-wang', 15],
        ['close', 'center-li', 15],
      ])
    } finally {
      reminders.stop()
    }
  })

  it('the reminders run by themselves on their timer (fake time)', async () => {
    // Fake time on the injected clock: the store keeps real timers (test/util/stepped-clock.ts).
    const timed = steppedClock(T0)
    newApp(timed)
    await store.ingestBatch(batch(1, [good(NH3, T0, 45)]), meta) // gas: H (B) and HH (A); the newest listed first is HH
    const reminders = startAlarmReminders({ store, clock: timed, log, intervalMs: 15_000 })
    try {
      expect(timed.pending()).toBe(1) // the reminders' timer, and nothing else on this clock
      const [alarm] = (await get('/api/v1/alarms')).body as any[]
      await post(`/api/v1/alarms/${alarm.id}/triage`, { by: 'center-li', verdict: 'valid' })
      // A round reads and writes the store, then arms the next one: time moves on once it has.
      const rearmed = () => vi.waitFor(() => expect(timed.pending()).toBe(1), { timeout: 10_000, interval: 2 })
      await timed.advance(21 * MIN, rearmed)
      const actions = ((await get(`/api/v1/alarms/${alarm.id}/timeline`)).body as any[]).map((e) => e.action)
      expect(alarm).toMatchObject({ kind: 'HH', priority: 'A' })
      // Triaged at once (not overdue); still not recovered at 10 and 20 min: two re-contacts.
      expect(actions).toEqual(['raise', 'triage', 'recontact_due', 'recontact_due'])
    } finally {
      reminders.stop()
    }
  })

  it('batch close reports each alarm; unknown ids and untriaged alarms are refused one by one', async () => {
    await store.ingestBatch(batch(1, [good(LEVEL, T0, 10)]), meta) // H only
    await store.ingestBatch(batch(2, [good(LEVEL, T0 + 5_000, 8)]), meta) // recovered 5 s later: a transient
    const [h] = (await get('/api/v1/alarms?state=all')).body as any[]
    const first = await post('/api/v1/alarms/close', { ids: [h.id, 999], by: 'center-li' })
    expect(first.body).toEqual({
      closed: 0,
      results: [
        { id: h.id, closed: false, code: 'ALARM_STATE_CONFLICT', message: expect.stringMatching(/triage/) },
        { id: 999, closed: false, code: 'NOT_FOUND', message: 'no alarm 999' },
      ],
    })
    await post(`/api/v1/alarms/${h.id}/triage`, {
      by: 'center-li',
      verdict: 'invalid',
      note: '数据瞬时超限报警，及时恢复正常',
    })
    expect((await post('/api/v1/alarms/close', { ids: [h.id], by: 'center-li' })).body).toMatchObject({ closed: 1 })
    expect((await get('/api/v1/alarms?state=open')).body).toEqual([])
  })

  it('shelving (ISA-18.2): time-limited with a reason, off the screen while shelved, back by itself when it ends', async () => {
    await store.ingestBatch(batch(1, [good(NH3, T0, 30)]), meta) // gas H (B)
    const [alarm] = (await get('/api/v1/alarms')).body as any[]
    expect((await post(`/api/v1/alarms/${alarm.id}/shelve`, { by: 'center-li', minutes: 30 })).status).toBe(400) // no reason
    const shelved = await post(`/api/v1/alarms/${alarm.id}/shelve`, {
      by: 'center-li',
      reason: '探头标定中，读数不可信',
      minutes: 30,
    })
    expect(shelved.body.disposal.overlay).toEqual({
      kind: 'shelved',
      by: 'center-li',
      reason: '探头标定中，读数不可信',
      since: T0,
      until: T0 + 30 * 60_000,
    })
    let board = (await get('/api/v1/board')).body
    expect([board.onScreen.length, board.shelved.map((a: any) => a.id)]).toEqual([0, [alarm.id]])
    // Out of service outranks a shelve; back in service, it is annunciated again.
    expect(
      (await post(`/api/v1/alarms/${alarm.id}/out-of-service`, { by: 'eng-wang', reason: '探头更换' })).body.disposal
        .overlay,
    ).toMatchObject({ kind: 'out_of_service' })
    expect((await post(`/api/v1/alarms/${alarm.id}/unshelve`, { by: 'center-li' })).status).toBe(409)
    expect((await post(`/api/v1/alarms/${alarm.id}/in-service`, { by: 'eng-wang' })).body.disposal.overlay).toBeNull()
    await post(`/api/v1/alarms/${alarm.id}/shelve`, { by: 'center-li', reason: '复查', minutes: 10 })
    const reminders = startAlarmReminders({ store, clock, log, intervalMs: 3_600_000 })
    try {
      clock.set(T0 + 10 * 60_000)
      await reminders.runOnce()
    } finally {
      reminders.stop()
    }
    board = (await get('/api/v1/board')).body
    expect([board.onScreen.map((a: any) => a.id), board.shelved.length]).toEqual([[alarm.id], 0])
    const timeline = ((await get(`/api/v1/alarms/${alarm.id}/timeline`)).body as any[]).map(
      (e) => `${e.action} ${e.actor}`,
    )
    expect(timeline).toEqual([
      'raise system',
      'shelve center-li',
      'remove_from_service eng-wang',
      'return_to_service eng-wang',
      'shelve center-li',
      'unshelve system',
    ])
  })

  it.each([
    ['an unknown alarm', 'POST', '/api/v1/alarms/999/ack', {}, 404],
    [
      'an actor named in the body (the actor is the identity)',
      'POST',
      '/api/v1/alarms/1/ack',
      { by: 'someone-else' },
      400,
    ],
    ['an unknown verdict', 'POST', '/api/v1/alarms/1/triage', { by: 'a', verdict: 'maybe' }, 400],
    ['a bad id', 'GET', '/api/v1/alarms/abc', undefined, 400],
    ['an unknown filter value', 'GET', '/api/v1/alarms?priority=Z', undefined, 400],
  ] as const)('refuses %s', async (_name, method, path, body, status) => {
    await store.ingestBatch(batch(1, [good(LEVEL, T0, 11)]), meta)
    expect((await call(method, path, body)).status).toBe(status)
  })
})

describe('GET /api/v1/alarms/stream (Server-Sent Events)', () => {
  it('sees a raise, an ack and a close, in order', async () => {
    const res = await app.request('/api/v1/alarms/stream', {
      headers: { authorization: `Bearer ${await tokenOf('center-li')}` },
    })
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/)
    const reader = res.body!.getReader()
    const decoder = new TextDecoder()
    let text = ''
    const events = () => [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1])
    const until = async (n: number) => {
      while (events().length < n) {
        const { value, done } = await reader.read()
        if (done) break
        text += decoder.decode(value, { stream: true })
      }
    }
    await until(1) // ready
    await store.ingestBatch(batch(1, [good(NH3, T0, 30)]), meta) // gas H
    await until(2)
    const id = JSON.parse(/^data: (.*)$/m.exec(text.slice(text.indexOf('event: raise')))![1]!).alarm.id
    await post(`/api/v1/alarms/${id}/ack`, { by: 'center-li' })
    await store.ingestBatch(batch(2, [good(NH3, T0 + 1_000, 2)]), meta)
    await post(`/api/v1/alarms/${id}/triage`, { by: 'center-li', verdict: 'invalid' })
    await post(`/api/v1/alarms/${id}/close`, { by: 'center-li' })
    await until(6)
    await reader.cancel()
    expect(events()).toEqual(['ready', 'raise', 'ack', 'recover', 'triage', 'close'])
    expect(feed.listeners).toBe(0)
  })
})

describe("the stream and the board within an enterprise's scope", () => {
  it("an enterprise user's stream carries its own alarms only; its board shows its own", async () => {
    const res = await app.request('/api/v1/alarms/stream', {
      headers: { authorization: `Bearer ${await tokenOf('shilian-wang')}` },
    })
    const reader = res.body!.getReader()
    const decoder = new TextDecoder()
    let text = ''
    const until = async (n: number) => {
      while ([...text.matchAll(/^event: /gm)].length < n)
        text += decoder.decode((await reader.read()).value, { stream: true })
    }
    await until(1) // ready
    await store.ingestBatch(batch(1, [good('fuqiang.v201.pressure', T0, 1.2)]), meta) // fuqiang: HH and H, first
    await store.ingestBatch(batch(2, [good(LEVEL, T0 + 1, 10)]), meta) // shilian: H
    await until(2)
    await reader.cancel()
    const alarms = [...text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!).alarm).filter(Boolean)
    expect(alarms.map((a: any) => [a.point, a.kind])).toEqual([[LEVEL, 'H']])
    expect(text).not.toMatch(/fuqiang/)
    const board = (await call('GET', '/api/v1/board', undefined, 'shilian-wang')).body
    expect(board.onScreen.map((a: any) => a.point)).toEqual([LEVEL])
    expect((await get('/api/v1/board')).body.onScreen.length).toBe(3) // the center sees every enterprise
  })
})

describe('GET /api/v1/board and /api/v1/kpi/alarms', () => {
  it('shows open alarms by zone and counts them', async () => {
    // T0 is 08:00 China time on 2025-01-31: a shift change.
    clock.set(T0 + 60_000)
    await store.ingestBatch(batch(1, [good(LEVEL, T0 + 30_000, 11)]), meta)
    const [hh, h] = (await get('/api/v1/alarms')).body as any[]
    await post(`/api/v1/alarms/${hh.id}/triage`, { by: 'center-li', verdict: 'valid' })
    const board = (await get('/api/v1/board')).body
    expect(board.shiftStart).toBe(T0)
    expect(
      [board.onScreen, board.observation, board.recoveredNotClosed, board.carriedOver].map((z: any[]) =>
        z.map((a) => a.id),
      ),
    ).toEqual([[h.id], [hh.id], [], []])
    clock.set(T0 + 12 * 3_600_000 + 1) // the next shift: both carried over
    expect((await get('/api/v1/board')).body.carriedOver.length).toBe(2)
    const kpi = (await get(`/api/v1/kpi/alarms?from=${T0}&to=${T0 + 3_600_000}&by=priority`)).body
    expect(kpi).toMatchObject({
      total: 2,
      byGroup: [
        { key: 'A', count: 1 },
        { key: 'S', count: 1 },
      ],
      timeToRespond: { count: 1, medianS: 30 },
    })
    expect((await get('/api/v1/kpi/alarms?from=2025-01-31T08:00:00')).status).toBe(400)
  })
})
