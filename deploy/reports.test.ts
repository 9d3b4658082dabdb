import { existsSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { tempDir } from '../test/cloud/helpers.ts'
import { zonedTime } from '../cloud/reports/period.ts'
import { parseWhen, runReport } from './reports.ts'

let tmp: ReturnType<typeof tempDir>
beforeEach(() => void (tmp = tempDir()))
afterEach(() => tmp.remove())

const TZ = 'Asia/Shanghai'

describe('parklink cloud report run', () => {
  it('makes a report for the period given in local dates of the park zone, and writes its files', async () => {
    const config = path.join(tmp.dir, 'cloud.yaml')
    writeFileSync(
      config,
      "dataDir: ./data\nmqtt: { url: 'mqtt://127.0.0.1:1883' }\nreports: { definitions: [{ name: daily, kind: offline_points, period: day, formats: [xlsx] }] }\n",
    )
    const { report, files } = await runReport(config, 'daily', { from: '2026-03-02', to: '2026-03-03' })
    expect(report).toMatchObject({
      name: 'daily',
      from: zonedTime(TZ, 2026, 3, 2),
      to: zonedTime(TZ, 2026, 3, 3),
      empty: true,
      trigger: 'manual',
      requestedBy: expect.stringMatching(/^cli:/),
    })
    expect(files).toHaveLength(1)
    expect(existsSync(files[0]!)).toBe(true)
    expect(files[0]!.startsWith(path.join(tmp.dir, 'data', 'reports', 'daily'))).toBe(true)
    // Without --from/--to: the definition's last complete period.
    const last = await runReport(config, 'daily', {}, zonedTime(TZ, 2026, 3, 5, 9))
    expect(last.report).toMatchObject({ from: zonedTime(TZ, 2026, 3, 4), to: zonedTime(TZ, 2026, 3, 5) })
  })

  it('reads epoch ms, ISO-8601 with a zone and local times; refuses a zoneless ISO time', () => {
    expect(parseWhen('1767225600000', TZ, zonedTime)).toBe(1_767_225_600_000)
    expect(parseWhen('2026-03-02T08:00:00+08:00', TZ, zonedTime)).toBe(Date.parse('2026-03-02T00:00:00Z'))
    expect(parseWhen('2026-03-02 08:00', TZ, zonedTime)).toBe(Date.parse('2026-03-02T00:00:00Z'))
    expect(() => parseWhen('2026-03-02T08:00:00', TZ, zonedTime)).toThrow(
      expect.objectContaining({ code: 'PL_BAD_REQUEST' }),
    )
  })
})
