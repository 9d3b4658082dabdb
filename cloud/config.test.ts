import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConfigError } from '../shared/config.ts'
import { ErrorCodes, ParklinkError } from '../shared/errors.ts'
import { tempDir } from '../test/cloud/helpers.ts'
import { loadCloudConfig, mqttPassword } from './config.ts'

const EXAMPLE = new URL('../firmware-configs/sites/example-cloud.yaml', import.meta.url).pathname

let tmp: ReturnType<typeof tempDir>
beforeEach(() => void (tmp = tempDir()))
afterEach(() => tmp.remove())

/** What loading `file` threw (undefined if it loaded). */
function refusal(file: string): unknown {
  try {
    loadCloudConfig(file)
  } catch (err) {
    return err
  }
  return undefined
}

function write(text: string): string {
  const file = path.join(tmp.dir, 'cloud.yaml')
  writeFileSync(file, text)
  return file
}

describe('cloud config', () => {
  it('loads the example, resolving dataDir against the file and filling defaults', () => {
    const config = loadCloudConfig(EXAMPLE)
    expect(config.dataDir).toBe(path.resolve(path.dirname(EXAMPLE), '../../.parklink/cloud'))
    expect(config.http).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      trustedProxies: [],
      streams: { perIdentity: 50, total: 1_000, queue: 500 },
    })
    expect(config.http.loginThrottle.perAddress).toMatchObject({ freeFailures: 5, windowS: 900 })
    expect(config.mqtt).toMatchObject({
      url: 'mqtts://127.0.0.1:8883',
      clientId: 'parklink-cloud',
      reconnectPeriodMs: 2000,
      keepaliveS: 30,
      allowInsecure: false,
      tls: {
        ca: '/etc/parklink/pki/ca.crt',
        cert: '/etc/parklink/pki/client.crt',
        key: '/etc/parklink/pki/client.key',
      },
    })
    expect(config.edgeOfflineAfterMs).toBe(60_000)
    expect(config.registry.enterprises.map((e) => e.id)).toEqual(['shilian', 'fuqiang'])
    expect(config.registry.points.find((p) => p.id === 'shilian.tk101.level')).toEqual({
      id: 'shilian.tk101.level',
      name: '液氨储罐TK-101液位',
      unit: 'm',
      enterprise: 'shilian',
      edge: 'shilian-01',
      class: 'mhs',
      limitsFromSource: false,
      limits: { hh: 10.5, h: 9.5, l: 2, ll: 1, deadband: 0.1 },
      rules: { onDelayS: 5, offDelayS: 30 },
    })
    expect(config.registry.points.find((p) => p.id === 'shilian.p101.run')?.limits).toBeUndefined()
    expect(config.registry.claimUnknownPoints).toBe('strict')
    expect(config.registry.edges).toContainEqual({ id: 'park-01', site: 'huaian-park' })
  })

  it('edges: strict by default; a point bound to an undeclared edge, or an edge of an undeclared enterprise, is refused', () => {
    expect(loadCloudConfig(write('dataDir: data\nmqtt: { url: "mqtts://broker:8883" }\n')).registry).toMatchObject({
      edges: [],
      claimUnknownPoints: 'strict',
    })
    const bad =
      'dataDir: data\nmqtt: { url: "mqtts://broker:8883" }\nregistry:\n  enterprises: [{ id: a, name: A }]\n  edges: [{ id: e1, site: s, enterprise: b }]\n  points: [{ id: a.p, name: P, enterprise: a, edge: e2, class: general }]\n'
    expect(() => loadCloudConfig(write(bad))).toThrow(
      /unknown enterprise "b"[\s\S]*unknown edge "e2"|unknown edge "e2"[\s\S]*unknown enterprise "b"/,
    )
  })

  it('takes its broker user name as its client id (one user per instance), parklink-cloud without one', () => {
    expect(
      loadCloudConfig(write('dataDir: d\nmqtt: { url: "mqtts://b:8883", username: cloud-b }\n')).mqtt.clientId,
    ).toBe('cloud-b')
    expect(
      loadCloudConfig(write('dataDir: d\nmqtt: { url: "mqtts://b:8883", clientId: cloud-x }\n')).mqtt.clientId,
    ).toBe('cloud-x')
    expect(() =>
      loadCloudConfig(write('dataDir: d\nmqtt: { url: "mqtts://b:8883", username: cloud-b, clientId: other }\n')),
    ).toThrow(/mqtt\.clientId: with a username the client id is the username/)
    expect(() => loadCloudConfig(write('dataDir: d\nmqtt: { url: "mqtts://b:8883", username: park/e1 }\n'))).toThrow(
      /mqtt\.username/,
    )
  })

  it('a minimal file gets every default', () => {
    const config = loadCloudConfig(write('dataDir: data\nmqtt: { url: "mqtts://broker:8883" }\n'))
    expect(config).toMatchObject({
      dataDir: path.join(tmp.dir, 'data'),
      http: { port: 8080 },
      log: { level: 'info' },
      registry: { enterprises: [], points: [] },
    })
  })

  it('keeps raw samples 1 year, 1-min rollups 3 years, 1-h rollups 10 years unless told (store.retention)', () => {
    const config = loadCloudConfig(write('dataDir: data\nmqtt: { url: "mqtts://broker:8883" }\n'))
    expect(config.store.retention).toEqual({ rawDays: 365, rollup1mDays: 1095, rollup1hDays: 3650, everyHours: 24 })
    const set =
      'dataDir: d\nmqtt: { url: "mqtts://b:8883" }\nstore: { retention: { rawDays: 30, rollup1mDays: 400 } }\n'
    expect(loadCloudConfig(write(set)).store.retention).toMatchObject({
      rawDays: 30,
      rollup1mDays: 400,
      rollup1hDays: 3650,
    })
  })

  it.each([
    ['{ rawDays: 0.01 }', /store\.retention\.rawDays[\s\S]*shorter than the 1 h rollup period it feeds/],
    ['{ rollup1mDays: 0.02 }', /rollup1mDays[\s\S]*shorter than the 1 h rollup period/],
    [
      '{ rawDays: 400, rollup1mDays: 300 }',
      /rawDays \(400\) ≤ rollup1mDays \(300\) ≤ rollup1hDays \(3650\) is required/,
    ],
    ['{ rollup1hDays: 1000 }', /rollup1mDays \(1095\) ≤ rollup1hDays \(1000\)/],
    ['{ rawDays: 0 }', /positive number of days/],
  ])('refuses store.retention %s with a message that says why', (retention, message) => {
    const err = refusal(write(`dataDir: d\nmqtt: { url: "mqtts://b:8883" }\nstore: { retention: ${retention} }\n`))
    expect(err).toBeInstanceOf(ConfigError)
    expect(String((err as Error).message)).toMatch(message)
  })

  it('reports every problem with its line and path', () => {
    const file = write(
      [
        'dataDir: ./data', // 1
        'http: { host: 127.0.0.1, port: 99999 }', // 2
        'mqtt: { url: "http://broker", pasword: x }', // 3
        'registry:', // 4
        '  enterprises: [{ id: shilian, name: 实联化工 }]', // 5
        '  points:', // 6
        '    - { id: a.b, name: A, enterprise: nobody, class: mhs }', // 7
        '    - { id: a.c, name: C, enterprise: shilian, class: reactor }', // 8
        '    - id: a.d', // 9
        '      name: D', // 10
        '      enterprise: shilian', // 11
        '      class: gas', // 12
        '      limits: { hh: 1, h: 2 }', // 13
        '    - { id: a.b, name: B, enterprise: shilian, class: gas }', // 14
        '',
      ].join('\n'),
    )
    const error = refusal(file)
    expect(error).toBeInstanceOf(ConfigError)
    const problems = (error as ConfigError).problems.map((p) => `${p.line} ${p.path}`)
    expect(problems).toEqual(
      expect.arrayContaining([
        '2 http.port',
        '3 mqtt.url',
        '3 mqtt.pasword',
        '8 registry.points.1.class',
        '13 registry.points.2.limits.hh',
        '7 registry.points.0.enterprise',
        '14 registry.points.3.id',
      ]),
    )
    expect((error as ConfigError).message).toContain(`${file}:3`)
  })

  it('takes the A–D priority scheme from the file; a wrong kind or a levels-and-source point is named by line', () => {
    const ad = loadCloudConfig(
      write(
        'dataDir: d\nmqtt: { url: "mqtts://b:8883" }\nalarms:\n  priorities:\n    rows: { mhs: { HH: A, H: B } }\n    default: D\n',
      ),
    )
    expect(ad.alarms.priorities).toEqual({ rows: { mhs: { HH: 'A', H: 'B' } }, default: 'D' })
    expect(loadCloudConfig(write('dataDir: d\nmqtt: { url: "mqtts://b:8883" }\n')).alarms.priorities.rows.mhs?.HH).toBe(
      'S',
    )
    const file = write(
      [
        'dataDir: d',
        'mqtt: { url: "mqtts://b:8883" }',
        'alarms:',
        '  priorities:',
        '    rows: { mhs: { HIGH: A } }',
        '    default: D',
        'registry:',
        '  enterprises: [{ id: e, name: E }]',
        '  points:',
        '    - { id: a.b, name: A, enterprise: e, class: mhs, limitsFromSource: true, limits: { hh: 3, deadband: 0 } }',
        '',
      ].join('\n'),
    )
    const error = refusal(file)
    expect((error as ConfigError).problems.map((p) => `${p.line} ${p.path}`)).toEqual(
      expect.arrayContaining(['5 alarms.priorities.rows.mhs.HIGH', '10 registry.points.0.limits']),
    )
  })

  it('a gas point without levels alarms at the GB/T 50493 defaults; one that cannot be defaulted is named by line', () => {
    const head = [
      'dataDir: d',
      'mqtt: { url: "mqtts://b:8883" }',
      'registry:',
      '  enterprises: [{ id: e, name: E }]',
      '  points:',
    ]
    const points = loadCloudConfig(
      write(
        [
          ...head,
          "    - { id: e.h2, name: H2, unit: '%LEL', enterprise: e, class: gas }",
          '    - { id: e.nh3, name: NH3, unit: ppm, enterprise: e, class: gas, oel: 20, limits: { deadband: 0.5 } }',
          '    - { id: e.cl2, name: Cl2, unit: ppm, enterprise: e, class: gas, limits: { h: 0.5, hh: 1 } }',
          '',
        ].join('\n'),
      ),
    ).registry.points
    expect(points.map((p) => [p.id, p.limits])).toEqual([
      ['e.h2', { h: 25, hh: 50, deadband: 1 }],
      ['e.nh3', { h: 20, hh: 40, deadband: 0.5 }],
      ['e.cl2', { h: 0.5, hh: 1, deadband: 0 }],
    ])
    const error = refusal(
      write([...head, '    - { id: e.co, name: CO, unit: ppm, enterprise: e, class: gas }', ''].join('\n')),
    )
    expect((error as ConfigError).problems.map((p) => `${p.line} ${p.path} ${p.message}`)).toEqual([
      expect.stringMatching(/^6 registry\.points\.0\.limits .*oel/),
    ])
  })

  it('an unreadable file is CONFIG_UNREADABLE', () => {
    expect(() => loadCloudConfig(path.join(tmp.dir, 'missing.yaml'))).toThrow(
      expect.objectContaining({ code: ErrorCodes.CONFIG_UNREADABLE }),
    )
  })

  it('reads the broker password from the named environment variable, refusing an unset one', () => {
    const config = loadCloudConfig(
      write('dataDir: d\nmqtt: { url: "mqtts://b:8883", username: cloud, passwordEnv: PL_TEST_PW }\n'),
    )
    expect(mqttPassword(config, { PL_TEST_PW: 's3cret' })).toBe('s3cret')
    expect(() => mqttPassword(config, {})).toThrow(ParklinkError)
    expect(mqttPassword({ ...config, mqtt: { ...config.mqtt, passwordEnv: undefined } }, {})).toBeUndefined()
  })
})
