import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import ExcelJS from 'exceljs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { systemClock } from '../../shared/clock.ts'
import type { Sample } from '../../shared/wire/sample.ts'
import { LEVEL, NH3, PRESSURE, batch, good, tempStore } from '../../test/cloud/helpers.ts'
import type { Action } from '../alarms/workflow.ts'
import type { Store } from '../store/store.ts'
import { defaultReportsConfig } from './config.ts'
import { createReportRunner, type ReportRunner } from './generate.ts'
import { zonedTime } from './period.ts'

/**
 * Every standard report made from fixture data on a real store (either engine), in both formats: the
 * PDF read back with Debian's pdftotext (its Chinese headings and figures), the XLSX with exceljs.
 */
const TZ = 'Asia/Shanghai'
const at = (day: number, hour: number, minute = 0) => zonedTime(TZ, 2026, 3, day, hour, minute)
const DAY = { from: at(2, 0), to: at(3, 0) }
const SHIFT = { from: at(2, 8), to: at(2, 20) }

let ctx: Awaited<ReturnType<typeof tempStore>>
let runner: ReportRunner
let dir: string

beforeEach(async () => {
  ctx = await tempStore()
  dir = path.join(ctx.dir, 'reports')
  runner = createReportRunner({
    store: ctx.store,
    config: defaultReportsConfig(),
    dir,
    clock: { ...systemClock, now: () => at(3, 0, 10) },
  })
  seq = 0
  await seedAlarms(ctx.store)
})
afterEach(async () => ctx.dispose())

let seq = 0
const ingest = (store: Store, samples: Sample[]) =>
  store.ingestBatch(batch(++seq, samples), { site: 'huaian', receivedAt: samples.at(-1)!.ts })

/** The days' alarms, made through the store as ingest, the comm-loss watcher and the operators make them. */
async function seedAlarms(store: Store) {
  const act = async (point: string, action: Action, now: number) => {
    const [alarm] = await store.listAlarms({ scope: 'all', state: 'all', point, kind: 'H', limit: 1 })
    expect(await store.actOnAlarm(alarm!.id, action, now, 'all')).toMatchObject({ ok: true })
  }
  // Carried over from the day before, still open: TK-101 below L.
  await ingest(store, [good(LEVEL, at(1, 15), 1.5)])
  // V-201's comm-loss episode, never triaged (D).
  await store.raiseSystemAlarm({ point: PRESSURE, kind: 'STALE', priority: 'D', ts: at(2, 3), value: 1.5, limit: 1 })
  await store.recoverSystemAlarm(PRESSURE, 'STALE', at(2, 5, 30), 0.5)
  // TK-101 over H (A): valid 2 min after, recovered, closed.
  await ingest(store, [good(LEVEL, at(2, 9), 10)])
  await act(LEVEL, { type: 'triage', by: 'op', verdict: 'valid' }, at(2, 9, 2))
  await ingest(store, [good(LEVEL, at(2, 9, 30), 5)])
  await act(LEVEL, { type: 'close', by: 'op', note: '液位已恢复正常' }, at(2, 10))
  // GT-101 over H (B) for a minute, invalid 3 min after, closed (at 10:05, an interval its completeness samples fill anyway).
  await ingest(store, [good(NH3, at(2, 10, 5), 30)])
  await ingest(store, [good(NH3, at(2, 10, 6), 10)])
  await act(NH3, { type: 'triage', by: 'op', verdict: 'invalid' }, at(2, 10, 8))
  await act(NH3, { type: 'close', by: 'op' }, at(2, 10, 10))
  // Open at 21:00 (C). V-201 sends nothing that day (its completeness is 0 %), so a system alarm, not a sample over H.
  await store.raiseSystemAlarm({ point: PRESSURE, kind: 'CLOCK', priority: 'C', ts: at(2, 21), value: 0, limit: 0 })
}

/** Good samples every `stepMs` of each point over [from, to), skipping every `skipEvery`-th: stored and sealed as ingest and the compaction job leave them. */
async function storeSamples(
  store: Store,
  points: readonly string[],
  range: { from: number; to: number },
  stepMs: number,
  skipEvery = 0,
) {
  for (const point of points) {
    const list: Sample[] = []
    for (let ts = range.from, i = 0; ts < range.to; ts += stepMs, i++)
      if (skipEvery === 0 || i % skipEvery !== 0) list.push(good(point, ts, 0.5))
    await ingest(store, list)
  }
  await store.compactSamples(Number.MAX_SAFE_INTEGER)
}

function pdfText(report: { files: Array<{ format: string; file: string }> }): string {
  const file = path.join(dir, report.files.find((f) => f.format === 'pdf')!.file)
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })
}

async function xlsxRows(report: { files: Array<{ format: string; file: string }> }): Promise<unknown[][]> {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.readFile(path.join(dir, report.files.find((f) => f.format === 'xlsx')!.file))
  const rows: unknown[][] = []
  wb.worksheets[0]!.eachRow((row) => rows.push((row.values as unknown[]).slice(1)))
  return rows
}

const rowAfter = (rows: unknown[][], first: unknown) => rows.find((r) => r[0] === first)

describe('reports from fixture data', () => {
  it('alarm analysis: counts per priority with valid / invalid / false, per enterprise, times', async () => {
    const report = await runner.run('weekly-alarms', DAY, { trigger: 'manual', requestedBy: 'test' })
    expect(report).toMatchObject({
      name: 'weekly-alarms',
      kind: 'alarm_analysis',
      empty: false,
      from: DAY.from,
      to: DAY.to,
    })
    const rows = await xlsxRows(report)
    expect(rows[0]).toEqual(['安全数据报警分析报告'])
    // priority, total, valid, invalid, false, untriaged, closed %
    expect(rowAfter(rows, 'A')).toEqual(['A', 1, 1, 0, 0, 0, 100])
    expect(rowAfter(rows, 'B')).toEqual(['B', 1, 0, 1, 0, 0, 100])
    expect(rowAfter(rows, 'D')).toEqual(['D', 1, 0, 0, 0, 1, 0])
    expect(rowAfter(rows, '实联化工 (shilian)')).toEqual(['实联化工 (shilian)', 1, 1, 0, 0, 2, 1, 1, 0, 0, 100])
    const text = pdfText(report)
    for (const s of [
      '安全数据报警分析报告',
      '按等级统计',
      '各等级报警数量',
      '响应与闭环时间',
      '实联化工 (shilian)',
      '富强新材料 (fuqiang)',
      '00:02:00',
    ])
      expect(text).toContain(s)
  })

  it('daily offline points: per enterprise, since when, how long', async () => {
    const report = await runner.run('daily-offline', DAY, { trigger: 'manual', requestedBy: 'test' })
    const rows = await xlsxRows(report)
    // enterprise, registered points, offline points, episodes, duration
    expect(rowAfter(rows, '富强新材料 (fuqiang)')).toEqual(['富强新材料 (fuqiang)', 1, 1, 1, '02:30:00'])
    const text = pdfText(report)
    for (const s of [
      '数据点位掉线日报',
      '各企业掉线情况',
      '掉线点位明细',
      '2026-03-02 03:00',
      '2026-03-02 05:30',
      '02:30:00',
      PRESSURE,
    ])
      expect(text).toContain(s)
  })

  it('shift report: the alarms of the shift by state, carried over, handed over, the handover note', async () => {
    const report = await runner.run('shift', SHIFT, {
      trigger: 'manual',
      requestedBy: 'test',
      note: '二号罐区巡检未完成',
    })
    const rows = await xlsxRows(report)
    expect(rowAfter(rows, '本班新增报警')).toEqual(['本班新增报警', 2])
    expect(rowAfter(rows, '本班闭环')).toEqual(['本班闭环', 2])
    expect(rowAfter(rows, '上班遗留未闭环')).toEqual(['上班遗留未闭环', 2])
    expect(rowAfter(rows, '移交下一班未闭环')).toEqual(['移交下一班未闭环', 2])
    expect(rowAfter(rows, '已闭环')).toEqual(['已闭环', 2])
    const text = pdfText(report)
    for (const s of [
      '交接班报表',
      '交接班记录',
      '移交未闭环报警 2 条',
      '二号罐区巡检未完成',
      '已闭环',
      '2026-03-02 08:00',
    ])
      expect(text).toContain(s)
    expect(report.params).toMatchObject({ note: '二号罐区巡检未完成', timeZone: TZ, period: 'shift' })
  })

  it('completeness per enterprise', async () => {
    await storeSamples(ctx.store, [LEVEL], DAY, 300_000)
    await storeSamples(ctx.store, [NH3], DAY, 300_000, 2)
    const report = await runner.run('daily-completeness', DAY, { trigger: 'manual', requestedBy: 'test' })
    const rows = await xlsxRows(report)
    expect(rowAfter(rows, '实联化工 (shilian)')).toEqual(['实联化工 (shilian)', 2, 75, '是'])
    expect(rowAfter(rows, '富强新材料 (fuqiang)')).toEqual(['富强新材料 (fuqiang)', 1, 0, '否'])
    const text = pdfText(report)
    for (const s of ['数据完整率报表', '各企业数据完整率', '各企业完整率（%）', '75']) expect(text).toContain(s)
  })

  it('a period with no data gives a report that says so, in both formats', async () => {
    const empty = { from: zonedTime(TZ, 2025, 6, 1), to: zonedTime(TZ, 2025, 6, 2) }
    for (const name of ['daily-offline', 'shift', 'weekly-alarms', 'daily-completeness']) {
      const report = await runner.run(name, empty, { trigger: 'manual', requestedBy: 'test' })
      expect(report.empty, name).toBe(true)
      expect(pdfText(report)).toContain('本统计时段内无数据')
      expect((await xlsxRows(report)).some((r) => r[0] === '本统计时段内无数据。')).toBe(true)
    }
  })

  it('keeps every generation with its parameters, lists them and reads the files back', async () => {
    const first = await runner.run('daily-offline', DAY, { trigger: 'manual', requestedBy: 'test' })
    const again = await runner.run('daily-offline', DAY, { trigger: 'manual', requestedBy: 'test' })
    expect(again.id).not.toBe(first.id)
    expect((await ctx.store.reports.list({ name: 'daily-offline', limit: 10 })).map((r) => r.id)).toEqual([
      again.id,
      first.id,
    ])
    expect(await runner.find('daily-offline', DAY)).toMatchObject({ id: again.id })
    const pdf = await runner.file(first, 'pdf')
    expect(pdf?.body.subarray(0, 5).toString()).toBe('%PDF-')
    expect(pdf?.body.length).toBe(first.files.find((f) => f.format === 'pdf')!.bytes)
    // A catalog entry pointing outside the folder is never followed.
    writeFileSync(path.join(ctx.dir, 'outside.pdf'), 'x')
    expect(
      await runner.file({ ...first, files: [{ format: 'pdf', file: '../outside.pdf', bytes: 1, sha256: '' }] }, 'pdf'),
    ).toBeNull()
  })

  it('refuses an unknown definition and a backwards period with their codes', async () => {
    await expect(runner.run('nope', DAY, { trigger: 'manual', requestedBy: 'test' })).rejects.toMatchObject({
      code: 'PL_NOT_FOUND',
      hint: expect.stringContaining('daily-offline'),
    })
    await expect(
      runner.run('shift', { from: DAY.to, to: DAY.from }, { trigger: 'manual', requestedBy: 'test' }),
    ).rejects.toMatchObject({ code: 'PL_BAD_REQUEST' })
  })
})
