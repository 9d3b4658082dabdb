import { describe, expect, it } from 'vitest'
import type { Sample } from '../../shared/wire/sample.ts'
import { EdgeConfigSchema } from '../config.ts'
import { captureLogger } from '../../test/util/edge-support.ts'
import { ReportConfig } from './config.ts'
import { createReporter } from './reporter.ts'

const T0 = 1_700_000_000_000
const at = (point: string, s: number, value: number): Sample => ({ point, ts: T0 + s * 1000, value, quality: 'good' })
/** One sample per second per point, the values given. */
const series = (point: string, values: number[]) => values.map((v, i) => at(point, i, v))

describe('edge reporter', () => {
  it('applies the first matching rule, else the default; without either every sample is kept', () => {
    const config = ReportConfig.parse({
      points: [
        { match: 'shilian.tk*.level', deadband: { abs: 1 } },
        { match: 'shilian.*', sdt: { deviation: 0.5 } },
      ],
    })
    const r = createReporter(config, () => null, captureLogger().log)
    const flat = [5, 5.2, 5.4, 5.6, 5.8, 6.5]
    expect(r.filter(series('shilian.tk101.level', flat)).map((s) => s.value)).toEqual([5, 6.5])
    // SDT on a straight ramp: the first sample now, the newest held for its successor.
    expect(r.filter(series('shilian.gt101.nh3', flat)).map((s) => s.value)).toEqual([5])
    expect(r.filter(series('other.point', flat))).toHaveLength(flat.length)
    // The deadband point holds nothing (6.5 was kept); the SDT point's newest comes out at stop.
    expect(r.flush().map((s) => [s.point, s.value])).toEqual([['shilian.gt101.nh3', 6.5]])
    expect(r.stats()).toEqual({ offered: 18, kept: 10 })
  })

  it('resolves a percent against the range the source announces; without one keeps everything and says so once', () => {
    const config = ReportConfig.parse({ default: { deadband: { pct: 10 } } })
    const logs = captureLogger()
    const ranges: Record<string, { low: number; high: number }> = { 'opc.level': { low: 0, high: 20 } }
    const r = createReporter(config, (p) => ranges[p] ?? null, logs.log)
    expect(r.filter(series('opc.level', [1, 2, 3, 3.5])).map((s) => s.value)).toEqual([1, 3.5]) // band 2
    expect(r.filter(series('modbus.level', [1, 2, 3]))).toHaveLength(3)
    expect(r.filter([at('modbus.level', 9, 4)])).toHaveLength(1)
    expect(
      logs.lines().filter((l) => l.msg === 'report by exception not applied to this point: every sample is kept'),
    ).toHaveLength(1)
    // The range becomes known (e.g. announced after connecting): the point is filtered from then on.
    ranges['modbus.level'] = { low: 0, high: 100 }
    expect(r.filter([at('modbus.level', 10, 5), at('modbus.level', 11, 20)]).map((s) => s.value)).toEqual([20]) // band 10
  })

  it('is part of the edge config, and refuses deadband with sdt or a bad pattern, with the path', () => {
    const base = {
      site: 's',
      edge: 'e',
      dataDir: '.',
      uplink: { url: 'mqtt://127.0.0.1:1883' },
      devices: [{ id: 'd', kind: 'modbus-tcp', host: '127.0.0.1', points: [{ id: 'd.p', address: 'hr0' }] }],
    }
    expect(
      EdgeConfigSchema.parse({ ...base, report: { points: [{ match: 'd.*', sdt: { deviationPct: 0.5 } }] } }).report
        ?.points[0],
    ).toMatchObject({ maxSilenceS: 300 })
    const refused = EdgeConfigSchema.safeParse({
      ...base,
      report: { points: [{ match: 'd/x', deadband: { abs: 1 }, sdt: { deviation: 1 } }] },
    })
    expect(refused.success).toBe(false)
    expect(refused.error?.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'report.points.0.match',
      'report.points.0.sdt',
    ])
  })
})
