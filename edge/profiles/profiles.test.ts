import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConfigError } from '../../shared/config.ts'
import { devicePoints, parseEdgeConfig } from '../config.ts'
import { BUILTIN_PROFILES, loadProfile } from './load.ts'

let dir: string
beforeEach(() => void (dir = mkdtempSync(path.join(tmpdir(), 'parklink-profiles-'))))
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const head = ['site: park', 'edge: e1', 'dataDir: ./data', 'uplink: { url: mqtt://127.0.0.1:1883 }', 'devices:']
const parse = (lines: string[]) => parseEdgeConfig([...head, ...lines, ''].join('\n'), path.join(dir, 'edge.yaml'))
const problemsOf = (fn: () => unknown) => {
  try {
    fn()
  } catch (err) {
    if (err instanceof ConfigError)
      return err.problems.map((p) => `${path.basename(p.file)}${p.line ? `:${p.line}` : ''} ${p.path}: ${p.message}`)
    throw err
  }
  return []
}

describe('device profiles', () => {
  it('every shipped profile is valid', () => {
    const names = readdirSync(BUILTIN_PROFILES)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.replace(/\.yaml$/, ''))
    expect(names.sort()).toEqual(['dcs-opcua-tank', 'gas-detector', 'static-level-gauge'])
    for (const name of names) expect(loadProfile(name, [BUILTIN_PROFILES]).name).toBe(name)
  })

  it('expands a profile on an RS485 unit and on an OPC UA device, with prefix, tag and extra points', () => {
    const config = parse([
      '  - id: pg-485',
      '    kind: modbus-rtu',
      '    port: /dev/ttyS1',
      '    units:',
      '      - { unitId: 1, profile: static-level-gauge, prefix: pg.b1 }',
      '      - { unitId: 2, profile: static-level-gauge, prefix: pg.m1, points: [{ id: pg.m1.extra, address: hr10 }] }',
      '  - { id: dcs, kind: opcua, endpoint: "opc.tcp://dcs:4840", profile: dcs-opcua-tank, prefix: fq.tk201, tag: TK201 }',
    ])
    expect(devicePoints(config.devices[0]!).map((p) => p.id)).toEqual([
      'pg.b1.level',
      'pg.b1.temp',
      'pg.b1.status',
      'pg.m1.level',
      'pg.m1.temp',
      'pg.m1.status',
      'pg.m1.extra',
    ])
    const rtu = config.devices[0]!
    expect('units' in rtu && rtu.units[0]!.points[0]).toMatchObject({
      id: 'pg.b1.level',
      address: 'hr0',
      type: 'int32',
      scale: 0.01,
      unit: 'mm',
    })
    const ua = config.devices[1]!
    expect(ua.kind === 'opcua' && ua.points.map((p) => [p.id, p.nodeId])).toEqual([
      ['fq.tk201.level', 'ns=2;s=TK201.Level.PV'],
      ['fq.tk201.pressure', 'ns=2;s=TK201.Pressure.PV'],
      ['fq.tk201.temp', 'ns=2;s=TK201.Temperature.PV'],
    ])
  })

  it('a site folder profile wins over the shipped one; errors name the profile file and line', () => {
    mkdirSync(path.join(dir, 'profiles'))
    writeFileSync(
      path.join(dir, 'profiles', 'gas-detector.yaml'),
      [
        'name: gas-detector',
        'protocol: modbus',
        'description: patched map',
        'points:',
        '  - { key: conc, address: ir0, type: float32 }',
        '  - { key: alarm, address: ir1, type: uint16 }', // overlaps conc's second register
        '  - { key: fault, address: ir9, type: uint16, scael: 1 }',
        '',
      ].join('\n'),
    )
    const problems = problemsOf(() =>
      parse(['  - { id: gds, kind: modbus-tcp, host: 10.0.0.5, profile: gas-detector, prefix: g1 }']),
    )
    expect(problems).toEqual(['gas-detector.yaml:7 points.2.scael: unknown key "scael" (did you mean "scale"?)'])
    writeFileSync(
      path.join(dir, 'profiles', 'gas-detector.yaml'),
      'name: gas-detector\nprotocol: modbus\ndescription: d\npoints:\n  - { key: conc, address: ir0, type: float32 }\n  - { key: alarm, address: ir1 }\n',
    )
    expect(
      problemsOf(() => parse(['  - { id: gds, kind: modbus-tcp, host: 10.0.0.5, profile: gas-detector, prefix: g1 }'])),
    ).toEqual(['gas-detector.yaml points.1: alarm overlaps conc at input register 1'])
  })

  it('an unknown profile, a missing prefix or the wrong protocol is a config error', () => {
    expect(
      problemsOf(() => parse(['  - { id: gds, kind: modbus-tcp, host: h, profile: no-such-thing, prefix: g }'])).join(
        '\n',
      ),
    ).toMatch(/no profile "no-such-thing"/)
    expect(
      problemsOf(() => parse(['  - { id: gds, kind: modbus-tcp, host: h, profile: gas-detector }'])).join('\n'),
    ).toMatch(/devices.0.prefix: a device that uses a profile needs a prefix/)
    expect(
      problemsOf(() => parse(['  - { id: gds, kind: modbus-tcp, host: h, profile: dcs-opcua-tank, prefix: g }'])).join(
        '\n',
      ),
    ).toMatch(/profile dcs-opcua-tank is for opcua, this device speaks modbus/)
  })
})
