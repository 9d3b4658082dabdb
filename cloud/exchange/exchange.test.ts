import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CloudConfigSchema } from '../config.ts'
import { createLogger } from '../log.ts'
import { openSqliteStore } from '../store/sqlite/store.ts'
import type { Store } from '../store/store.ts'
import { createEvaluator } from '../../shared/rules/evaluate.ts'
import { cloudConfigFor } from '../../deploy/demo/configs.ts'
import { manualClock, tempDir } from '../../test/cloud/helpers.ts'
import { codeListsOf } from './config.ts'
import { createExchangeJob, type ExchangeJob } from './job.ts'
import { storeSource } from './source.ts'
import { openSqliteExchange } from './sqlite-writer.ts'
import { ALARM_TABLE, GAS_DEVICE_TABLE, INDICATOR_TABLE, REALTIME_TABLE, TABLES } from './tables.ts'
import type { ExchangeWriter } from './writer.ts'

/**
 * The provincial exchange end to end (issue 18 acceptance): the demo registry and real alarms
 * in a real cloud store, the job writing a real SQLite front-end database, read back with a
 * second connection.
 */
const T0 = Date.UTC(2026, 2, 2, 1, 0, 0)
const LEVEL = 'shilian.tk101.level'
const NH3 = 'shilian.gt101.nh3'
const NH3_2 = 'shilian.gt102.nh3'

let tmp: ReturnType<typeof tempDir>
let store: Store
let writer: ExchangeWriter
let job: ExchangeJob
let exchangeFile: string
const clock = manualClock(T0)

const config = CloudConfigSchema.parse({
  ...cloudConfigFor({ dataDir: '/unused', httpPort: 0, mqttUrl: 'mqtt://127.0.0.1:1883' }),
  exchange: { parkCode: '320800-DEMO' },
})

beforeEach(async () => {
  tmp = tempDir('parklink-exchange-')
  clock.set(T0)
  store = openSqliteStore({
    file: path.join(tmp.dir, 'cloud.db'),
    evaluate: createEvaluator(config.alarms.priorities, config.alarms.chatter),
    log: createLogger({ level: 'silent' }),
  })
  await store.applyRegistry(config.registry)
  exchangeFile = path.join(tmp.dir, 'exchange.db')
  writer = openSqliteExchange(exchangeFile)
  job = createExchangeJob({ config: config.exchange, source: storeSource(store), writer, clock })
})
afterEach(async () => {
  await writer.close()
  await store.close()
  tmp.remove()
})

let seq = 0
async function samples(list: Array<[string, number, number]>) {
  await store.ingestBatch(
    {
      v: 1,
      edge: 'shilian-01',
      session: 's-1',
      outbox: 'outbox-1a2b3c4d',
      seq: ++seq,
      floor: 1,
      samples: list.map(([point, ts, value]) => ({ point, ts, value, quality: 'good' as const })),
    },
    { site: 'huaian', receivedAt: clock.now() },
  )
}

function rows(table: string): Array<Record<string, unknown>> {
  const db = new Database(exchangeFile, { readonly: true })
  try {
    return db.prepare(`SELECT * FROM ${table} ORDER BY id`).all() as Array<Record<string, unknown>>
  } finally {
    db.close()
  }
}
const rowOf = (table: string, key: string, column = 'indicator_name') => rows(table).find((r) => r[column] === key)

describe('provincial exchange', () => {
  it('creates and fills the tables from the demo registry and alarms, each value in its code list', async () => {
    seq = 0
    await samples([
      [LEVEL, T0 - 60_000, 7.2],
      [NH3, T0 - 60_000, 3.1],
    ])
    await samples([[LEVEL, T0 - 30_000, 10.9]]) // over HH (10.5): a 高高报
    const run = await job.run()
    expect(run.datasets.map((d) => [d.table, d.error]).sort()).toEqual(TABLES.map((t) => [t.name, null]).sort())

    const lists = codeListsOf(config.exchange)
    for (const t of TABLES)
      for (const r of rows(t.name)) {
        expect(r.park_id).toBe('320800-DEMO')
        expect(r.id).toMatch(/^[0-9a-f-]{36}$/)
        for (const c of t.columns.filter((c) => c.codes))
          if (r[c.name] !== null) expect(Object.keys(lists[c.codes!]), `${t.name}.${c.name}`).toContain(r[c.name])
      }

    const level = rowOf(INDICATOR_TABLE.name, '液氨储罐TK-101液位')!
    expect(level).toMatchObject({
      linked_device_category: '01',
      indicator_type: '03',
      unit: '09',
      monitored_substance_name: '氨',
      gas_cas: '7664-41-7',
      level1_upper_threshold: 9.5,
      level2_upper_threshold: 10.5,
      delete_flag: '0',
      created_by: 'parklink',
      created_at: '2026-03-02 09:00:00',
    })
    expect(rowOf(INDICATOR_TABLE.name, 'NH3检测器GT-101')).toMatchObject({ unit: '04', linked_device_category: '02' })
    expect(rows(GAS_DEVICE_TABLE.name)).toEqual([
      expect.objectContaining({
        device_name: '园区激光气体速扫设备01',
        device_type: '02',
        run_state: '01',
        coverage_radius_m: 500,
      }),
    ])
    expect(rows(REALTIME_TABLE.name)).toEqual([
      expect.objectContaining({
        indicator_id: level.id === undefined ? '' : expect.any(String),
        monitor_value: 3.1,
        unit: '04',
      }),
    ])
    // Each limit is its own alarm: 高报 (H, 9.5) and 高高报 (HH, 10.5).
    expect(
      rows(ALARM_TABLE.name)
        .map((r) => [r.alarm_type, r.indicator_id, r.alarm_status, r.disposal_status, r.is_false_alarm])
        .sort(),
    ).toEqual([
      ['01', level.id, '01', '01', '0'],
      ['02', level.id, '01', '01', '0'],
    ])
    // MPa has no code in the spec's list U: those indicators are held back and say what to fix.
    const held = await writer.held(INDICATOR_TABLE.dataset)
    const pressure = held.find((h) => h.key === 'shilian.tk101.pressure')!
    expect(pressure.problems.map((p) => p.message).join()).toMatch(/unitCode.*exchange\.unitCodes/)
    expect(rowOf(INDICATOR_TABLE.name, '液氨储罐TK-101压力')).toBeUndefined()
    const log = await writer.recentLog(20)
    expect(log.find((l) => l.table === INDICATOR_TABLE.name)).toMatchObject({
      runId: run.runId,
      inserted: rows(INDICATOR_TABLE.name).length,
      heldBack: held.length,
    })
  })

  it('an incremental run after a threshold change updates that row only', async () => {
    await job.run()
    const before = rows(INDICATOR_TABLE.name)
    clock.advance(3_600_000)
    await store.registry.patchPoint(LEVEL, { h: 9.0 })
    const run = await job.run()
    expect(run.datasets.find((d) => d.table === INDICATOR_TABLE.name)).toMatchObject({
      inserted: 0,
      updated: 1,
      deleted: 0,
      unchanged: before.length - 1,
    })
    const after = rows(INDICATOR_TABLE.name)
    for (const a of after) {
      const b = before.find((x) => x.id === a.id)!
      if (a.indicator_name === '液氨储罐TK-101液位') {
        expect(a).toMatchObject({
          level1_upper_threshold: 9,
          updated_at: '2026-03-02 10:00:00',
          created_at: b.created_at,
        })
      } else expect(a).toEqual(b)
    }
  })

  it('holds a bad row back whole while the others are written, and lists what to fix', async () => {
    await job.run()
    const before = rowOf(INDICATOR_TABLE.name, 'NH3检测器GT-102')!
    clock.advance(60_000)
    await store.registry.patchPoint(NH3_2, { cas: null, rangeHigh: 100 }) // a toxic gas without its CAS
    await store.registry.patchPoint(NH3, { unitCode: '12' }) // outside list U
    await store.registry.patchPoint(LEVEL, { hh: 11 })
    const run = await job.run()
    expect(run.datasets.find((d) => d.table === INDICATOR_TABLE.name)).toMatchObject({ updated: 1, error: null })
    expect(rowOf(INDICATOR_TABLE.name, '液氨储罐TK-101液位')).toMatchObject({ level2_upper_threshold: 11 })
    // Not half-written: the row keeps what it had before the bad change.
    expect(rowOf(INDICATOR_TABLE.name, 'NH3检测器GT-102')).toEqual(before)
    const held = new Map((await writer.held(INDICATOR_TABLE.dataset)).map((h) => [h.key, h.problems]))
    expect(held.get(NH3_2)!.map((p) => p.column)).toEqual(['gas_cas'])
    expect(held.get(NH3_2)![0]!.message).toMatch(/set the point's cas/)
    expect(held.get(NH3)).toEqual([
      expect.objectContaining({ column: 'unit', message: expect.stringMatching(/"12" is not in the code list unit/) }),
    ])
    // Fixed in the registry: written at the next run and no longer held.
    await store.registry.patchPoint(NH3_2, { cas: '7664-41-7' })
    await job.run()
    expect(rowOf(INDICATOR_TABLE.name, 'NH3检测器GT-102')).toMatchObject({ range_upper: 100, gas_cas: '7664-41-7' })
    expect((await writer.held(INDICATOR_TABLE.dataset)).some((h) => h.key === NH3_2)).toBe(false)
  })

  it('follows an alarm to its closure through the alarm timeline, and flags a point that left the registry deleted', async () => {
    seq = 0
    await samples([[LEVEL, T0 - 30_000, 10.9]])
    await job.run()
    const alarm = (await store.listAlarms({ scope: 'all', state: 'all', limit: 10 })).find((a) => a.kind === 'HH')
    clock.advance(120_000)
    await store.actOnAlarm(
      alarm!.id,
      { type: 'triage', by: 'op1', verdict: 'valid', note: '液位计确认' },
      clock.now(),
      'all',
    )
    await store.actOnAlarm(
      alarm!.id,
      { type: 'feedback', by: 'shilian-op', cause: '进料阀未关', measures: '关闭进料阀，转料至TK-102' },
      clock.now(),
      'all',
    )
    await samples([[LEVEL, T0 + 60_000, 7.0]]) // recovered (销警)
    expect(await store.actOnAlarm(alarm!.id, { type: 'close', by: 'op1' }, clock.now(), 'all')).toMatchObject({
      ok: true,
    })
    await store.registry.unregisterPoint('park.ws01.ph')
    const run = await job.run()
    // Both alarms recovered (clear time), the HH one was also closed: two rows changed, nothing new.
    expect(run.datasets.find((d) => d.table === ALARM_TABLE.name)).toMatchObject({ updated: 2, inserted: 0 })
    expect(rows(ALARM_TABLE.name).filter((r) => r.alarm_type === '02')).toEqual([
      expect.objectContaining({
        alarm_status: '03',
        disposal_status: '03',
        disposal_measures: '关闭进料阀，转料至TK-102',
        disposal_time: '2026-03-02 09:02:00',
        clear_time: '2026-03-02 09:01:00',
        handler_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      }),
    ])
    expect(rowOf(INDICATOR_TABLE.name, '污水站出口pH')).toBeUndefined() // held (no unit) before, so never written
    expect(run.datasets.find((d) => d.table === INDICATOR_TABLE.name)).toMatchObject({ deleted: 0 })
    await store.registry.unregisterPoint(NH3)
    const again = await job.run()
    expect(again.datasets.find((d) => d.table === INDICATOR_TABLE.name)).toMatchObject({ deleted: 1, updated: 0 })
    expect(rowOf(INDICATOR_TABLE.name, 'NH3检测器GT-101')).toMatchObject({ delete_flag: '1' })
  })
})
