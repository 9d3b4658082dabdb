import { describe, expect, it } from 'vitest'
import { parseEdgeConfig } from '../../config.ts'

/** A config that would write where Modbus cannot (or should not) is refused at validation, with the point's line. */
const config = (points: string[]) =>
  [
    'site: p',
    'edge: e',
    'dataDir: ./d',
    'uplink: { url: "mqtt://127.0.0.1:1" }',
    'devices:',
    '  - id: plc',
    '    kind: modbus-tcp',
    '    host: 127.0.0.1',
    '    points:',
    ...points.map((p) => `      - ${p}`),
    '',
  ].join('\n')

describe('writable points', () => {
  it('are read-only by default and may be writable on coils and holding registers', () => {
    const c = parseEdgeConfig(
      config([
        '{ id: a, address: hr0 }',
        '{ id: sp, address: hr1, type: float32, writable: true }',
        '{ id: pump, address: co3, writable: true }',
      ]),
      '/tmp/e.yaml',
    )
    const points = c.devices[0]!.kind === 'modbus-tcp' ? c.devices[0]!.points : []
    expect(points.map((p) => p.writable)).toEqual([false, true, true])
  })

  it('refuses writable on read-only tables, bits and strings', () => {
    const bad = config([
      '{ id: a, address: ir0, writable: true }',
      '{ id: b, address: di2, writable: true }',
      '{ id: c, address: hr5, bit: 3, writable: true }',
      '{ id: d, address: hr9, type: string, length: 4, writable: true }',
    ])
    let issues: Array<{ line: number; path: string; message: string }> = []
    try {
      parseEdgeConfig(bad, '/tmp/e.yaml')
    } catch (err) {
      issues = (err as { problems: typeof issues }).problems
    }
    expect(issues.map((i) => [i.line, i.path])).toEqual([
      [10, 'devices.0.points.0.writable'],
      [11, 'devices.0.points.1.writable'],
      [12, 'devices.0.points.2.writable'],
      [13, 'devices.0.points.3.writable'],
    ])
    expect(issues[0]!.message).toMatch(/read-only input register/)
  })
})
