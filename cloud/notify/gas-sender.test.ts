import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { T0, captureLogger, manualClock, tempStore } from '../../test/cloud/helpers.ts'
import { DETECTORS, TANK_FARM as AREA, tankFarm } from '../../test/cloud/gas-tank-farm.ts'
import { waitFor } from '../../test/util/wait.ts'
import { createAlarmFeed } from '../alarms/feed.ts'
import { GasWarningsConfig } from '../alarms/gas/model.ts'
import { startGasWarnings, type GasWarnings } from '../alarms/gas/service.ts'
import { createLogger } from '../log.ts'
import { NotificationsConfig } from './config.ts'
import { startDispatcher, type Dispatcher } from './dispatcher.ts'

const MIN = 60_000

/**
 * Gas-leak warnings' pushes end to end: detectors of a tank farm alarm through the cloud's own
 * ingest, the warning service saves each step with its pushes (one transaction), and the
 * dispatcher sends them to a local HTTP receiver standing for the webhook and the SMS gateway.
 */
describe('gas-leak warning pushes against a local HTTP receiver', () => {
  const clock = manualClock(T0)
  let env: Awaited<ReturnType<typeof tempStore>>
  let server: http.Server
  let received: Array<{ path: string; body: any; query: URLSearchParams }>
  let failAll: boolean
  let warnings: GasWarnings
  let dispatcher: Dispatcher
  let farm: Awaited<ReturnType<typeof tankFarm>>
  const send = (at: number, values: Record<string, number>) => farm.send(at, values)
  const warningOf = (colour: string) => farm.colour(colour)
  const ledger = async (id: number) =>
    ((await env.store.gasWarningDeliveries(id, 'all')) ?? []).map(
      (d) => `${d.action} ${d.colour} ${d.recipient} ${d.channel} ${d.status} ${d.attempts}`,
    )

  beforeEach(async () => {
    received = []
    failAll = false
    server = http.createServer((req, res) => {
      let text = ''
      req.on('data', (c) => (text += c))
      req.on('end', () => {
        if (failAll) return void res.writeHead(500).end()
        const url = new URL(req.url!, 'http://x')
        received.push({ path: url.pathname, body: text ? JSON.parse(text) : null, query: url.searchParams })
        res.writeHead(200).end('ok')
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    clock.set(T0)
    const feed = createAlarmFeed()
    env = await tempStore(createLogger({ level: 'silent' }), (change) => feed.publish(change))
    farm = await tankFarm(env.store, (at) => clock.set(at))
    const notifications = NotificationsConfig.parse({
      webhook: { url: `${base}/hook` },
      sms: { urlTemplate: `${base}/sms?to={phone}&text={text}` },
      attempts: 2,
      recipients: [
        { id: 'duty', name: '值班长', category: 'park-supervision', channels: ['sms'], phone: '13800000001' },
        { id: 'sl-boss', name: '主要负责人', category: 'principal', enterprise: 'shilian', channels: ['webhook'] },
        { id: 'sl-officer', name: '安全员', category: 'safety-officer', enterprise: 'shilian', channels: ['webhook'] },
      ],
    })
    const log = createLogger({ level: 'silent' })
    warnings = startGasWarnings({
      store: env.store,
      feed,
      clock,
      config: GasWarningsConfig.parse({}),
      recipients: notifications.recipients,
      log,
      intervalMs: 3_600_000,
    })
    dispatcher = startDispatcher({
      config: notifications,
      store: env.store,
      clock,
      log: captureLogger().log,
      intervalMs: 3_600_000,
    })
  })

  afterEach(async () => {
    dispatcher?.stop()
    warnings?.stop()
    await env?.dispose()
    await new Promise((resolve) => server.close(resolve))
  })

  it("an escalation to red tells red's people: planned with the step, sent as SMS in Chinese and as a gas_warning event", async () => {
    await send(T0, { [DETECTORS[0]!]: 25 })
    const blue = await warningOf('blue')
    await dispatcher.runOnce()
    expect(await ledger(blue.id)).toEqual(['opened blue duty sms sent 1', 'opened blue sl-officer webhook sent 1'])
    received = []
    // Three more detectors of the tank farm at once: the leak spreads, the warning turns red.
    await send(T0 + MIN, Object.fromEntries(DETECTORS.slice(1).map((d) => [d, 26])))
    const red = await warningOf('red')
    // Committed with the step, before any send.
    expect((await ledger(red.id)).slice(2)).toEqual([
      'escalated red duty sms pending 0',
      'escalated red sl-boss webhook pending 0',
    ])
    clock.set(T0 + MIN + 1)
    expect(await dispatcher.runOnce()).toBe(2)
    const sms = received.find((r) => r.path === '/sms')!
    expect(sms.query.get('to')).toBe('13800000001')
    expect(sms.query.get('text')).toMatch(
      /^【园区安全监测】预警升级为红色：液氨罐区 可燃\/有毒气体泄漏，同时报警探测器 4 个，.*请立即处置。$/,
    )
    const hook = received.find((r) => r.path === '/hook')!
    expect(hook.body).toMatchObject({
      event: 'gas_warning',
      action: 'escalated',
      colour: 'red',
      areaName: '液氨罐区',
      recipient: { id: 'sl-boss' },
      warning: { id: red.id, area: AREA, colour: 'red', state: 'open' },
    })
    expect((await ledger(red.id)).slice(2)).toEqual([
      'escalated red duty sms sent 1',
      'escalated red sl-boss webhook sent 1',
    ])
    expect(await dispatcher.runOnce()).toBe(0) // sent once
  })

  it('a failing endpoint is retried after a minute, then recorded failed with its error', async () => {
    failAll = true
    await send(T0, { [DETECTORS[0]!]: 25 })
    const blue = await warningOf('blue')
    await dispatcher.runOnce()
    const [first] = (await env.store.gasWarningDeliveries(blue.id, 'all'))!
    expect(first).toMatchObject({ status: 'pending', attempts: 1, nextAt: T0 + MIN })
    clock.set(T0 + MIN / 2)
    await dispatcher.runOnce() // not yet due again
    expect((await ledger(blue.id)).every((x) => x.endsWith('pending 1'))).toBe(true)
    clock.set(T0 + MIN)
    await dispatcher.runOnce()
    const done = (await env.store.gasWarningDeliveries(blue.id, 'all'))!
    expect(done.map((d) => [d.status, d.attempts, d.doneAt])).toEqual([
      ['failed', 2, T0 + MIN],
      ['failed', 2, T0 + MIN],
    ])
    expect(done.every((d) => /HTTP 500/.test(d.lastError ?? ''))).toBe(true)
    expect(received).toEqual([])
  })

  it('a warning cleared before its push is not pushed: the push is recorded skipped', async () => {
    await send(T0, { [DETECTORS[0]!]: 25 })
    const blue = await warningOf('blue')
    await send(T0 + MIN, { [DETECTORS[0]!]: 0 })
    await waitFor(async () => ((await env.store.openGasWarning(AREA))?.active.length === 0 ? true : null))
    expect(await warnings.act(blue.id, { action: 'clear', by: 'op' }, 'all')).toMatchObject({ ok: true })
    expect(await dispatcher.runOnce()).toBe(0)
    expect(received).toEqual([])
    expect(((await env.store.gasWarningDeliveries(blue.id, 'all')) ?? []).map((d) => [d.status, d.lastError])).toEqual([
      ['skipped', 'cleared before the push'],
      ['skipped', 'cleared before the push'],
    ])
    // Out of the enterprise's scope: no such warning.
    expect(await env.store.gasWarningDeliveries(blue.id, { enterprise: 'fuqiang' })).toBeNull()
  })
})
