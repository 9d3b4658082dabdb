import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { T0, batch, good, manualClock, registry, tempStore } from '../../../test/cloud/helpers.ts'
import { waitFor } from '../../../test/util/wait.ts'
import { createLogger } from '../../log.ts'
import { createAlarmFeed } from '../feed.ts'
import { GasWarningsConfig } from './model.ts'
import { startGasWarnings, type GasWarnings } from './service.ts'

const AREA = 'shilian-tf'
const DETECTORS = ['shilian.gt101.nh3', 'shilian.gt102.nh3', 'shilian.gt103.nh3', 'shilian.gt104.nh3']
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
  let seq = 0

  const send = async (at: number, values: Record<string, number>) => {
    clock.set(at)
    await env.store.ingestBatch(
      batch(
        ++seq,
        Object.entries(values).map(([point, v]) => good(point, at, v)),
      ),
      { site: 'huaian', receivedAt: at },
    )
  }
  const colour = (want: string) =>
    waitFor(async () => {
      const w = await env.store.openGasWarning(AREA)
      return w?.colour === want ? w : null
    })

  beforeAll(async () => {
    env = await tempStore(createLogger({ level: 'silent' }), (change) => feed.publish(change))
    const gasPoint = (id: string) => ({
      id,
      name: `罐区氨气检测${id.split('.')[1]?.toUpperCase()}`,
      unit: 'ppm',
      enterprise: 'shilian',
      class: 'gas' as const,
      limitsFromSource: false,
      limits: { hh: 40, h: 20, deadband: 1 },
    })
    await env.store.applyRegistry({
      ...registry,
      points: [...registry.points.filter((p) => p.id !== DETECTORS[0]), ...DETECTORS.map(gasPoint)],
    })
    await env.store.registry.create('areas', { id: AREA, enterprise: 'shilian', name: '液氨罐区', kind: 'tank farm' })
    for (const id of DETECTORS) await env.store.registry.patchPoint(id, { area: AREA })
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
