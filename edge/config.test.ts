import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ConfigError } from '../shared/config.ts'
import { ErrorCodes, ParklinkError } from '../shared/errors.ts'
import {
  EdgeConfigSchema,
  configHash,
  devicePoints,
  loadEdgeConfig,
  parseEdgeConfig,
  uplinkPassword,
} from './config.ts'

const EXAMPLE = new URL('../firmware-configs/sites/example-edge.yaml', import.meta.url).pathname

const minimal = `
site: park
edge: e1
dataDir: ./data
uplink:
  url: mqtt://127.0.0.1:1883
devices:
  - id: plc1
    kind: modbus-tcp
    host: 127.0.0.1
    points:
      - { id: e1.tk.level, address: hr0, type: float32 }
`

function problems(text: string): Array<{ line: number | null; path: string; message: string }> {
  try {
    parseEdgeConfig(text, '/etc/parklink/edge.yaml')
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map(({ line, path, message }) => ({ line, path, message }))
    throw err
  }
  return []
}

describe('edge config', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-edge-config-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('loads the example config shipped in firmware-configs', () => {
    const config = loadEdgeConfig(EXAMPLE)
    expect(config).toMatchObject({
      site: 'huaian-park',
      edge: 'shilian-01',
      uplink: { clientId: 'parklink-edge-shilian-01', batchSize: 500 },
    })
    expect(config.dataDir).toBe(path.resolve(path.dirname(EXAMPLE), '../../.parklink/edge-shilian-01'))
    expect(config.devices.map((d) => d.id)).toEqual(['shilian-dcs', 'shilian-gds'])
    expect(devicePoints(config.devices[0]!)[0]).toMatchObject({
      id: 'shilian.tk101.level',
      name: '液氨储罐TK-101液位',
      unit: 'm',
    })
  })

  it('fills defaults and resolves dataDir against the config file folder', () => {
    const config = parseEdgeConfig(minimal, '/etc/parklink/edge.yaml')
    expect(config.dataDir).toBe('/etc/parklink/data')
    expect(config.uplink).toMatchObject({
      clientId: 'parklink-edge-e1',
      maxInflight: 32,
      ackTimeoutMs: 15_000,
      heartbeatMs: 10_000,
      reconnectMinMs: 500,
      reconnectMaxMs: 30_000,
    })
    expect(config.outbox.maxBytes).toBe(2 * 1024 ** 3)
    expect(config.devices[0]).toMatchObject({ port: 502, pollMs: 1000, points: [{ scale: 1, writable: false }] })
  })

  it('lists every problem at once, each with its line and path', () => {
    const text = `site: park
edge: e/1
dataDir: ./data
uplink:
  url: mqtt://admin:secret@broker:1883
  passwordEnv: PW
  reconnectMinMs: 5000
  reconnectMaxMs: 1000
devices:
  - id: plc1
    kind: modbus-tcp
    host: 10.0.0.1
    points:
      - { id: a.level, address: hr0 }
      - { id: a.temp, address: hr1, scael: 0.1 }
  - id: plc1
    kind: modbus-tcp
    host: 10.0.0.2
    points:
      - { id: a.level, address: hr0 }
  - id: cam
    kind: gb28181
`
    const found = problems(text)
    expect(found).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ line: 2, path: 'edge' }),
        expect.objectContaining({ line: 5, path: 'uplink.url', message: expect.stringMatching(/credentials/) }),
        expect.objectContaining({
          line: 15,
          path: 'devices.0.points.1.scael',
          message: 'unknown key "scael" (did you mean "scale"?)',
        }),
        expect.objectContaining({
          line: 16,
          path: 'devices.1.id',
          message: expect.stringMatching(/duplicate device id "plc1"/),
        }),
        expect.objectContaining({
          line: 20,
          path: 'devices.1.points.0.id',
          message: 'duplicate point id "a.level" (also devices.0.points.0)',
        }),
        expect.objectContaining({ line: 22, path: 'devices.2.kind' }),
      ]),
    )
  })

  it.each([
    ['reconnectMaxMs below reconnectMinMs', 'reconnectMinMs: 5000\n  reconnectMaxMs: 1000', 'uplink.reconnectMaxMs'],
    ['a password without a username', 'passwordEnv: PARKLINK_MQTT_PASSWORD', 'uplink.passwordEnv'],
    ['a password env that is not a variable name', 'username: e1\n  passwordEnv: "my secret"', 'uplink.passwordEnv'],
    ['an unknown uplink option', 'ackTimeout: 100', 'uplink.ackTimeout'],
    [
      'a client id beside a username (the broker binds the client id to the user)',
      'username: park/e1\n  clientId: other',
      'uplink.clientId',
    ],
    ["another edge's broker user", 'username: park/e2', 'uplink.username'],
    ["its edge id under another site's user", 'username: other-park/e1', 'uplink.username'],
  ])('refuses %s', (_name, extra, where) => {
    const text = minimal.replace('  url: mqtt://127.0.0.1:1883', `  url: mqtt://127.0.0.1:1883\n  ${extra}`)
    expect(problems(text).map((p) => p.path)).toContain(where)
  })

  it('takes the broker user name {site}/{edge} as its client id', () => {
    const withUser = parseEdgeConfig(
      minimal.replace('  url: mqtt://127.0.0.1:1883', '  url: mqtt://127.0.0.1:1883\n  username: park/e1'),
      '/x/edge.yaml',
    )
    expect(withUser.uplink.clientId).toBe('park/e1')
    expect(parseEdgeConfig(minimal, '/x/edge.yaml').uplink.clientId).toBe('parklink-edge-e1')
  })

  it('an unreadable file is CONFIG_UNREADABLE with a hint', () => {
    expect(() => loadEdgeConfig(path.join(dir, 'missing.yaml'))).toThrow(
      expect.objectContaining({ code: ErrorCodes.CONFIG_UNREADABLE, hint: expect.stringMatching(/--config/) }),
    )
  })

  it('reads the password from the named environment variable, and says so when it is unset', () => {
    const file = path.join(dir, 'with-password.yaml')
    writeFileSync(
      file,
      minimal.replace(
        '  url: mqtt://127.0.0.1:1883',
        '  url: mqtt://127.0.0.1:1883\n  username: e1\n  passwordEnv: EDGE_PW',
      ),
    )
    const config = loadEdgeConfig(file)
    expect(uplinkPassword(config, { EDGE_PW: 's3cret' })).toBe('s3cret')
    expect(() => uplinkPassword(config, {})).toThrow(ParklinkError)
    expect(uplinkPassword(parseEdgeConfig(minimal, file), {})).toBeUndefined()
  })

  it('hashes the config independent of key order, sensitive to content, without secrets', () => {
    const a = parseEdgeConfig(minimal, '/x/edge.yaml')
    const reordered = parseEdgeConfig(minimal.replace('site: park\nedge: e1', 'edge: e1\nsite: park'), '/x/edge.yaml')
    expect(configHash(reordered)).toBe(configHash(a))
    expect(configHash(a)).toMatch(/^[0-9a-f]{64}$/)
    expect(configHash(parseEdgeConfig(minimal.replace('hr0', 'hr1'), '/x/edge.yaml'))).not.toBe(configHash(a))
    const withSecret = { ...a, uplink: { ...a.uplink, password: 'hunter2' } }
    expect(configHash(withSecret)).toBe(configHash(a))
  })

  it('generates a JSON Schema (for firmware-configs/schema)', () => {
    const schema = z.toJSONSchema(EdgeConfigSchema, { io: 'input' }) as {
      required?: string[]
      properties?: Record<string, unknown>
    }
    expect(schema.required).toEqual(expect.arrayContaining(['site', 'edge', 'dataDir', 'uplink', 'devices']))
    expect(Object.keys(schema.properties ?? {})).toContain('outbox')
  })
})
