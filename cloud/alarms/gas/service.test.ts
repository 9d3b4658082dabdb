import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { T0, manualClock, tempStore } from '../../../test/cloud/helpers.ts'
import { DETECTORS, TANK_FARM as AREA, tankFarm } from '../../../test/cloud/gas-tank-farm.ts'
import { waitFor } from '../../../test/util/wait.ts'
import { createLogger } from '../../log.ts'
import { createAlarmFeed } from '../feed.ts'
import { GasWarningsConfig } from './model.ts'
import { startGasWarnings, type GasWarnings } from './service.ts'

const MIN = 60_000

/**
 * Gas-leak warnings end to end on a real store: gas detectors of one tank farm go into alarm
 * one after another through the cloud's own ingest and alarm rules; the warning follows the
 * alarms the store committed (the alarm feed), and a person's steps go through the same queue.
 */
describe('gas-leak warnings from the alarms a real store raises', () => {
  const clock = manualClock(T0)
  const feed = createAlarmFeed()
  let env: Awaited<ReturnType<typeof tempStore>>
  let warnings: GasWarnings
  let farm: Awaited<ReturnType<typeof tankFarm>>
  const send = (at: number, values: Record<string, number>) => farm.send(at, values)
  const colour = (want: string) => farm.colour(want)

  beforeAll(async () => {
    env = await tempStore(createLogger({ level: 'silent' }), (change) => feed.publish(change))
    farm = await tankFarm(env.store, (at) => clock.set(at))
    warnings = startGasWarnings({
      store: env.store,
      feed,
      clock,
      config: GasWarningsConfig.parse({}),
      recipients: [
        { id: 'duty', name: '值班长', category: 'park-supervision', channels: ['sms'], phone: '13800000000' },
        { id: 'sl-boss', name: '主要负责人', category: 'principal', enterprise: 'shilian', channels: ['sms'] },
      ],
      log: createLogger({ level: 'silent' }),
    })
  })

  afterAll(async () => {
    warnings?.stop()
    await env?.dispose()
  })

  it("escalates blue → yellow → orange → red as the leak spreads over the tank farm's detectors", async () => {
    await send(T0, { [DETECTORS[0]!]: 25 })
    expect((await colour('blue')).active).toEqual([DETECTORS[0]])
    await send(T0 + MIN, { [DETECTORS[1]!]: 26 })
    await colour('yellow')
    await send(T0 + 2 * MIN, { [DETECTORS[2]!]: 24 })
    expect((await colour('orange')).noticeDueAt).toBe(T0 + 2 * MIN + 86_400_000)
    // GT-103 above its level 2 (HH): it counts twice in the spread.
    await send(T0 + 3 * MIN, { [DETECTORS[2]!]: 45 })
    const red = await colour('red')
    expect(red.history.map((s) => `${s.action} ${s.colour}`)).toEqual([
      'opened blue',
      'escalated yellow',
      'escalated orange',
      'escalated red',
    ])
    expect(red.history.at(-1)?.tell).toEqual(['duty', 'sl-boss'])
  })

  it('cannot be cleared while detectors alarm, nor without its investigation report; then it can', async () => {
    const open = (await env.store.openGasWarning(AREA))!
    expect(await warnings.act(open.id, { action: 'clear', by: 'op' }, 'all')).toMatchObject({ ok: false })
    await send(T0 + 10 * MIN, Object.fromEntries(DETECTORS.slice(0, 3).map((d) => [d, 0])))
    await waitFor(async () => ((await env.store.openGasWarning(AREA))?.active.length === 0 ? true : null))
    const refused = await warnings.act(open.id, { action: 'clear', by: 'op' }, 'all')
    expect(refused).toMatchObject({ ok: false, message: expect.stringMatching(/investigation report/) })
    // Another enterprise's identity does not even see it.
    expect(await warnings.act(open.id, { action: 'clear', by: 'op' }, { enterprise: 'fuqiang' })).toBeNull()
    const reported = await warnings.act(
      open.id,
      {
        action: 'report',
        by: 'shilian-safety',
        text: '法兰垫片老化泄漏，已更换并检测合格',
        attachments: ['调查报告.pdf'],
      },
      { enterprise: 'shilian' },
    )
    expect(reported).toMatchObject({ ok: true })
    expect(await warnings.act(open.id, { action: 'clear', by: 'op' }, 'all')).toMatchObject({
      ok: true,
      warning: { state: 'cleared', clearedBy: 'op' },
    })
    expect(await env.store.openGasWarning(AREA)).toBeNull()
  })
})
