import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createEvaluator } from '../../shared/rules/evaluate.ts'
import { LEVEL, T0, batch, captureLogger, good, manualClock, tempStore } from '../../test/cloud/helpers.ts'
import { createLogger } from '../log.ts'
import { openStore } from '../store/open-store.ts'
import type { StoreConfig } from '../store/store-config.ts'
import type { Store } from '../store/store.ts'
import { NotificationsConfig } from './config.ts'
import { startDispatcher, type Dispatcher } from './dispatcher.ts'
import { pushPlanner } from './plan.ts'
import { fileURLToPath } from 'node:url'
import { startChild, stopAll } from '../../test/util/child.ts'
import { waitFor } from '../../test/util/wait.ts'

const MIN = 60_000
const meta = { site: 'huaian', receivedAt: T0 }
let env: Awaited<ReturnType<typeof tempStore>> | null = null
let env2: Store | null = null
let server: http.Server
let received: Array<{ path: string; body: any; query: URLSearchParams }>
let failNext = 0
let dispatcher: Dispatcher | null = null
const clock = manualClock()

beforeEach(async () => {
  received = []
  failNext = 0
  server = http.createServer((req, res) => {
    let text = ''
    req.on('data', (c) => (text += c))
    req.on('end', () => {
      const url = new URL(req.url!, 'http://x')
      if (failNext > 0) {
        failNext--
        res.writeHead(500).end()
        return
      }
      received.push({ path: url.pathname, body: text ? JSON.parse(text) : null, query: url.searchParams })
      res.writeHead(200).end('ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  clock.set(T0)
})
afterEach(async () => {
  await stopAll()
  dispatcher?.stop()
  dispatcher = null
  await env2?.close()
  env2 = null
  await env?.dispose()
  env = null
  await new Promise((resolve) => server.close(resolve))
})

/** The store of a restarted cloud process on the database `env`'s store uses (its SQLite file, or its PostgreSQL database by URL). */
const reopen = (on: { config: StoreConfig; dir: string }, config: NotificationsConfig) =>
  openStore(
    { store: on.config, dataDir: on.dir },
    { evaluate: createEvaluator(), log: createLogger({ level: 'silent' }), planPushes: pushPlanner(config) },
  )

function configOf(extra: Record<string, unknown> = {}) {
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const config = NotificationsConfig.parse({
    webhook: { url: `${base}/hook` },
    sms: { urlTemplate: `${base}/sms?to={phone}&text={text}&token={token}`, tokenEnv: 'PARKLINK_TEST_SMS_TOKEN' },
    recipients: [
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
        id: 'sl-officer',
        name: '实联安全员',
        category: 'safety-officer',
        enterprise: 'shilian',
        channels: ['webhook'],
      },
      {
        id: 'fq-officer',
        name: '富强安全员',
        category: 'safety-officer',
        enterprise: 'fuqiang',
        channels: ['webhook'],
      },
      { id: 'duty', name: '值班专员', category: 'special', channels: ['webhook'] },
    ],
    // These schedules' tests tell the enterprise at the raise; the default (on a valid triage) has its own test.
    schedules: {
      principal: { priorities: ['S', 'A'], pushOn: 'raise' },
      'safety-officer': { priorities: ['S', 'A', 'B', 'C'], pushOn: 'raise' },
    },
    ...extra,
  })
  return config
}
/** Pushes tried and failed by channel, as /metrics reads them (issue 16). */
let counts = { attempts: {} as Record<string, number>, failures: {} as Record<string, number> }
const dispatch = (config: NotificationsConfig, store: Store) =>
  (dispatcher = startDispatcher({
    config,
    store,
    clock,
    counts: (counts = { attempts: {}, failures: {} }),
    log: captureLogger().log,
    intervalMs: 3_600_000,
    env: { PARKLINK_TEST_SMS_TOKEN: 'tok-1' },
  }))
/** A store planning with this config's recipients, and its dispatcher. */
async function start(extra: Record<string, unknown> = {}) {
  const config = configOf(extra)
  env = await tempStore(undefined, undefined, pushPlanner(config))
  return dispatch(config, env!.store)
}
const who = () =>
  received.map((r) => (r.path === '/sms' ? `sms ${r.query.get('to')}` : `hook ${r.body.recipient.id} #${r.body.n}`))

describe('notification schedules against a local HTTP receiver', () => {
  it('an S alarm: the enterprise at once, special every minute × 3, the bureau after 3 min — unless closed first', async () => {
    const d = await start()
    await env!.store.ingestBatch(batch(1, [good(LEVEL, T0, 10.6)]), meta) // TK-101 HH (S) and H (A)
    const [hh] = await env!.store.listAlarms({ scope: 'all', state: 'active', limit: 10 })
    expect(hh).toMatchObject({ kind: 'HH', priority: 'S' })
    await d.runOnce()
    // Both alarms notify; look at the S one's immediate pushes.
    const first = received.filter(
      (r) => (r.body?.alarm?.id ?? null) === hh!.id || (r.path === '/sms' && r.query.get('text')?.includes('S级')),
    )
    expect(
      first
        .map((r) => (r.path === '/sms' ? `sms ${r.query.get('to')}` : `hook ${r.body.recipient.id} #${r.body.n}`))
        .sort(),
    ).toEqual(['hook duty #1', 'hook sl-officer #1', 'sms 13800000002'])
    const sms = received.find((r) => r.path === '/sms' && r.query.get('text')?.includes('S级'))!
    expect(sms.query.get('token')).toBe('tok-1')
    expect(sms.query.get('text')).toMatch(/^【园区安全监测】S级高高报：液氨储罐TK-101液位 当前值10.6，限值10.5/)

    received = []
    clock.set(T0 + MIN)
    await d.runOnce()
    clock.set(T0 + 2 * MIN)
    await d.runOnce()
    expect(who().sort()).toEqual(['hook duty #2', 'hook duty #2', 'hook duty #3', 'hook duty #3']) // both alarms, special only

    // Closed before the bureau's push at 3 min: nothing goes to the bureau for it.
    await env!.store.actOnAlarm(hh!.id, { type: 'triage', by: 'center-li', verdict: 'false' }, T0 + 2 * MIN, 'all')
    await env!.store.actOnAlarm(hh!.id, { type: 'close', by: 'center-li' }, T0 + 2 * MIN, 'all')
    received = []
    clock.set(T0 + 3 * MIN)
    await d.runOnce()
    expect(who()).toEqual([]) // the A alarm never goes to the bureau; the S one was closed
    const ledger = await env!.store.alarmDeliveries(hh!.id, 'all')
    expect(ledger.find((x) => x.recipient === 'bureau')).toMatchObject({
      status: 'skipped',
      lastError: 'closed before the push',
      dueAt: T0 + 3 * MIN,
    })
    expect(ledger.filter((x) => x.status === 'sent').length).toBe(5)
  })

  it('a failed push is retried with backoff and recorded; nothing is lost', async () => {
    const d = await start({
      recipients: [{ id: 'duty', name: '值班专员', category: 'safety-officer', channels: ['webhook'] }],
      attempts: 3,
    })
    await env!.store.ingestBatch(batch(1, [good(LEVEL, T0, 2.5)]), meta) // not over any limit
    await env!.store.ingestBatch(batch(2, [good(LEVEL, T0 + 1, 0.5)]), meta) // LL (B) and L (C)
    failNext = 2
    clock.set(T0 + 1)
    await d.runOnce() // both pushes fail once
    expect(counts).toEqual({ attempts: { webhook: 2 }, failures: { webhook: 2 } })
    const [ll] = await env!.store.listAlarms({ scope: 'all', state: 'active', limit: 10 })
    expect((await env!.store.alarmDeliveries(ll!.id, 'all')).map((x) => [x.status, x.attempts, x.nextAt - T0])).toEqual(
      [['pending', 1, 1 + MIN]],
    )
    clock.set(T0 + 30_000)
    await d.runOnce() // not yet: the retry waits a minute
    expect(received.length).toBe(0)
    clock.set(T0 + 1 + MIN)
    await d.runOnce() // retried: both sent
    expect((await env!.store.alarmDeliveries(ll!.id, 'all')).map((x) => [x.status, x.attempts, x.lastError])).toEqual([
      ['sent', 2, expect.stringMatching(/HTTP 500/)],
    ])
    expect(received.length).toBe(2)
    expect(counts).toEqual({ attempts: { webhook: 4 }, failures: { webhook: 2 } })
    // A receiver that never recovers: failed after the configured attempts.
    await env!.store.ingestBatch(batch(3, [good(LEVEL, T0 + 2 * MIN, 11)]), meta)
    failNext = 100
    for (const t of [2, 3, 5, 9]) {
      clock.set(T0 + t * MIN)
      await d.runOnce()
    }
    const [hh] = await env!.store.listAlarms({ scope: 'all', state: 'active', limit: 1 })
    expect((await env!.store.alarmDeliveries(hh!.id, 'all')).map((x) => [x.status, x.attempts])).toEqual([
      ['failed', 3],
    ])
  })
})

describe('the push outbox survives a crash (issue 14, alarm changes are durable)', () => {
  it('an alarm committed by a process that died before its dispatcher ran is pushed after the restart, exactly once', async () => {
    const config = configOf({
      recipients: [
        {
          id: 'sl-officer',
          name: '实联安全员',
          category: 'safety-officer',
          enterprise: 'shilian',
          channels: ['webhook'],
        },
      ],
    })
    // The first process: the raise commits, then the process is 'killed' — no dispatcher ever
    // ran and nothing is closed or flushed; its connection is simply abandoned.
    env = await tempStore(undefined, undefined, pushPlanner(config))
    await env.store.ingestBatch(batch(1, [good(LEVEL, T0, 10.6)]), meta) // TK-101 HH (S) and H (A)
    const raised = await env.store.listAlarms({ scope: 'all', state: 'active', limit: 10 })
    expect(raised.map((a) => a.kind).sort()).toEqual(['H', 'HH'])

    // The restarted process: a new store and dispatcher on the same database.
    env2 = await reopen(env, config)
    const d = dispatch(config, env2)
    expect(await d.runOnce()).toBe(2)
    expect(await d.runOnce()).toBe(0) // nothing twice
    clock.set(T0 + 10 * MIN)
    expect(await d.runOnce()).toBe(0)
    expect(who().sort()).toEqual(['hook sl-officer #1', 'hook sl-officer #1'])
    expect(received.map((r) => r.body.alarm.id).sort()).toEqual(raised.map((a) => a.id).sort())
    for (const a of raised)
      expect((await env2.alarmDeliveries(a.id, 'all')).map((x) => [x.recipient, x.status, x.attempts])).toEqual([
        ['sl-officer', 'sent', 1],
      ])
  })
})

describe('the push outbox survives a real kill (SIGKILL after the commit)', () => {
  it('a cloud process killed right after committing an alarm leaves its pushes planned; the next one sends them once', async () => {
    const config = configOf({
      recipients: [
        {
          id: 'sl-officer',
          name: '实联安全员',
          category: 'safety-officer',
          enterprise: 'shilian',
          channels: ['webhook'],
        },
      ],
    })
    env = await tempStore(undefined, undefined, pushPlanner(config))
    await env.store.close() // the registry is in the file; the child process is the cloud now
    const child = startChild('raise-and-die', process.execPath, [
      '--import',
      'tsx',
      fileURLToPath(new URL('../../test/cloud/raise-and-die.ts', import.meta.url)),
      JSON.stringify(env.config),
      env.dir,
      JSON.stringify(config),
      String(T0),
    ])
    await waitFor(() => child.output().includes('committed'), {
      timeoutMs: 60_000,
      message: `the child to commit: ${child.output()}`,
    })
    expect(await child.kill('SIGKILL')).toBe('SIGKILL')

    env2 = await reopen(env, config)
    const d = dispatch(config, env2)
    expect(await d.runOnce()).toBe(2) // HH and H
    expect(await d.runOnce()).toBe(0)
    expect(who()).toEqual(['hook sl-officer #1', 'hook sl-officer #1'])
  }, 90_000)
})

describe('an enterprise is told once the center finds the alarm valid (issue 14, pushOn)', () => {
  it('by default the raise tells the park, the valid triage tells the enterprise, in its transaction; an invalid one tells it nothing', async () => {
    const d = await start({ schedules: {} }) // the defaults: enterprise categories on a valid triage
    await env!.store.ingestBatch(batch(1, [good(LEVEL, T0, 10.6)]), meta) // HH (S) and H (A)
    const [hh, h] = await env!.store.listAlarms({ scope: 'all', state: 'active', limit: 10 })
    await d.runOnce()
    expect(who().sort()).toEqual(['hook duty #1', 'hook duty #1'])
    received = []
    clock.set(T0 + MIN / 2)
    await env!.store.actOnAlarm(hh!.id, { type: 'triage', by: 'center-li', verdict: 'valid' }, T0 + MIN / 2, 'all')
    await env!.store.actOnAlarm(h!.id, { type: 'triage', by: 'center-li', verdict: 'invalid' }, T0 + MIN / 2, 'all')
    // Planned in the triage's transaction, due at once from the triage.
    expect(
      (await env!.store.alarmDeliveries(hh!.id, 'all'))
        .filter((x) => x.recipient.startsWith('sl-'))
        .map((x) => [x.recipient, x.dueAt - T0, x.status]),
    ).toEqual([
      ['sl-boss', MIN / 2, 'pending'],
      ['sl-officer', MIN / 2, 'pending'],
    ])
    expect((await env!.store.alarmDeliveries(h!.id, 'all')).filter((x) => x.recipient.startsWith('sl-'))).toEqual([])
    await d.runOnce()
    expect(who().sort()).toEqual(['hook sl-officer #1', 'sms 13800000002'])
  })
})

describe('an overdue alarm is escalated (issue 14)', () => {
  it('its response deadline passed: the park supervision is told once, as an escalation, besides its own push', async () => {
    const d = await start()
    await env!.store.ingestBatch(batch(1, [good(LEVEL, T0, 10.6)]), meta) // HH (S) and H (A)
    const [hh] = await env!.store.listAlarms({ scope: 'all', state: 'active', limit: 1 })
    // What the reminders (cloud/alarms/reminders.ts) note when the S alarm's 3 min pass unanswered.
    const due = T0 + 3 * MIN
    await env!.store.noteAlarm(
      hh!.id,
      { at: due, actor: 'system', action: 'overdue', detail: { dueAt: due, priority: 'S' } },
      { ...hh!.disposal, overdueAt: due },
    )
    await env!.store.noteAlarm(
      hh!.id,
      { at: due, actor: 'system', action: 'overdue', detail: { dueAt: due, priority: 'S' } },
      { ...hh!.disposal, overdueAt: due },
    ) // noted twice: planned once
    received = []
    clock.set(due)
    await d.runOnce()
    const bureau = received
      .filter((r) => r.path === '/sms' && r.query.get('to') === '13800000001')
      .map((r) => r.query.get('text')!)
    expect(bureau.filter((t) => t.startsWith('【园区安全监测】超时未处置 S级高高报'))).toHaveLength(1)
    expect(bureau.filter((t) => t.startsWith('【园区安全监测】S级高高报'))).toHaveLength(1) // its own 3-min push
    expect(
      (await env!.store.alarmDeliveries(hh!.id, 'all'))
        .filter((x) => x.reason === 'overdue')
        .map((x) => [x.recipient, x.status]),
    ).toEqual([['bureau', 'sent']])
  })
})
