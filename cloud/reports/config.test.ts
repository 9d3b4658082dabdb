import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConfigError } from '../../shared/config.ts'
import { tempDir } from '../../test/cloud/helpers.ts'
import { loadCloudConfig } from '../config.ts'
import { ReportsConfig } from './config.ts'
import { periodBefore, zonedTime } from './period.ts'

let tmp: ReturnType<typeof tempDir>
beforeEach(() => void (tmp = tempDir()))
afterEach(() => tmp.remove())

const BASE = "dataDir: ./data\nmqtt: { url: 'mqtt://127.0.0.1:1883' }\n"
const load = (text: string) => {
  const file = path.join(tmp.dir, 'cloud.yaml')
  writeFileSync(file, BASE + text)
  return loadCloudConfig(file)
}

describe('reports config', () => {
  it('a fresh config has the standard set, in Asia/Shanghai, with the Debian CJK font', () => {
    const { reports } = load('')
    expect(reports.definitions.map((d) => [d.name, d.kind, d.period])).toEqual([
      ['daily-offline', 'offline_points', 'day'],
      ['shift', 'shift', 'shift'],
      ['weekly-alarms', 'alarm_analysis', 'week'],
      ['monthly-alarms', 'alarm_analysis', 'month'],
      ['daily-completeness', 'completeness', 'day'],
    ])
    expect(reports).toMatchObject({
      timeZone: 'Asia/Shanghai',
      font: '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc',
      enabled: true,
    })
  })

  it('a missing font file is a config error naming reports.font', () => {
    let err: unknown
    try {
      load('reports: { font: ./no-such-font.ttc }\n')
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as ConfigError).problems).toEqual([
      expect.objectContaining({
        path: 'reports.font',
        message: expect.stringContaining(path.join(tmp.dir, 'no-such-font.ttc')),
      }),
    ])
    expect((err as ConfigError).code).toBe('PL_CONFIG_INVALID')
    // Without PDF formats no font is needed.
    expect(
      load(
        'reports: { font: ./no-such-font.ttc, definitions: [{ name: x, kind: shift, period: shift, formats: [xlsx] }] }\n',
      ).reports.definitions,
    ).toHaveLength(1)
  })

  it('refuses a bad cron, an unknown time zone and duplicate names', () => {
    const r = ReportsConfig.safeParse({
      timeZone: 'Mars/Olympus',
      definitions: [
        { name: 'a', kind: 'shift', period: 'shift', schedule: 'every day' },
        { name: 'a', kind: 'shift', period: 'shift' },
      ],
    })
    expect(r.success).toBe(false)
    expect(r.error!.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'definitions.0.schedule',
      'definitions.1.name',
      'timeZone',
    ])
  })
})

describe('report periods in the park zone', () => {
  const tz = 'Asia/Shanghai'
  const shifts = { shiftChanges: ['08:00', '20:00'], utcOffset: '+08:00' }
  it('day, week (from Monday), month and shift before a run', () => {
    const run = zonedTime(tz, 2026, 3, 4, 0, 20) // a Wednesday
    expect(periodBefore('day', run, tz, shifts)).toEqual({
      from: zonedTime(tz, 2026, 3, 3),
      to: zonedTime(tz, 2026, 3, 4),
    })
    expect(periodBefore('week', run, tz, shifts)).toEqual({
      from: zonedTime(tz, 2026, 2, 23),
      to: zonedTime(tz, 2026, 3, 2),
    })
    expect(periodBefore('month', run, tz, shifts)).toEqual({
      from: zonedTime(tz, 2026, 2, 1),
      to: zonedTime(tz, 2026, 3, 1),
    })
    expect(periodBefore('shift', run, tz, shifts)).toEqual({
      from: zonedTime(tz, 2026, 3, 3, 8),
      to: zonedTime(tz, 2026, 3, 3, 20),
    })
    expect(zonedTime(tz, 2026, 3, 4)).toBe(Date.parse('2026-03-03T16:00:00Z'))
  })
  it('days across a daylight-saving change are 23 or 25 hours long', () => {
    const berlin = 'Europe/Berlin'
    const p = periodBefore('day', zonedTime(berlin, 2026, 3, 30, 1), berlin, shifts)
    expect(p.to - p.from).toBe(23 * 3_600_000)
  })
})
