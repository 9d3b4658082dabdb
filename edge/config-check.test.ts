import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { parseDocument, stringify } from 'yaml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../test/util/ports.ts'
import { startEdgeAgent } from './agent.ts'
import { checkEdgeConfigText } from './config-check.ts'
import { EdgeConfigSchema, resolveEdgeConfig } from './config.ts'
import { createLogger } from './log.ts'

/**
 * Issue 19, "one validation": `parklink edge validate` (checkEdgeConfigText) refuses exactly the
 * configs the agent refuses. The agent side is the agent itself: the document through its
 * schema, then startEdgeAgent with the real Modbus drivers, the real uplink, console and
 * password look-ups — it starts (and is stopped) or it throws. Configs are generated from pools
 * of good and bad addresses, types, hosts, references and password variables.
 */
let dir: string
let broker: number
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'parklink-check-'))
  broker = await freePort() // nothing listens: the uplink keeps retrying, which does not stop a start
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const ENV = { SET_PW: 'a-long-enough-password', SHORT_PW: 'short', EMPTY_PW: '' }
const envVar = fc.constantFrom('SET_PW', 'SHORT_PW', 'EMPTY_PW', 'UNSET_PW')
const address = fc.constantFrom(
  'hr0',
  'ir5',
  'co3',
  'di1',
  '40001',
  '30010',
  'hr65535',
  13,
  'xr5',
  'hr99999',
  '50001',
  '40000',
  'hr',
  '',
)
const host = fc.constantFrom('127.0.0.1', '::1', 'localhost', '192.168.10.300', '10.0.0', 'bad_host!', '1.2.3.4.5')
const point = fc.record(
  {
    address,
    type: fc.constantFrom('float32', 'bool', 'string', 'int16', 'uint32'),
    bit: fc.integer({ min: 0, max: 15 }),
    length: fc.integer({ min: 1, max: 4 }),
    writable: fc.boolean(),
  },
  { requiredKeys: ['address'] },
)
const device = fc.record({
  host,
  port: fc.constantFrom(1, 502, 70000),
  points: fc.array(point, { minLength: 1, maxLength: 3 }),
  gateway: fc.boolean(),
})
const doc = fc.record({
  devices: fc.array(device, { maxLength: 2 }),
  duplicateId: fc.boolean(),
  uplinkPassword: fc.option(envVar, { nil: undefined }),
  console: fc.option(envVar, { nil: undefined }),
  alarm: fc.constantFrom('none', 'known', 'misspelt'),
})

type Generated = typeof doc extends fc.Arbitrary<infer T> ? T : never

function configText(g: Generated, n: number): string {
  const devices = g.devices.map((d, i) => {
    const points = d.points.map((p, j) => ({ id: `d${i}.p${g.duplicateId ? 0 : j}`, ...p }))
    const common = { id: `plc${i}`, host: d.host, port: d.port }
    return d.gateway
      ? { ...common, kind: 'modbus-gateway', units: [{ unitId: 1, timeoutMs: 100, points }] }
      : { ...common, kind: 'modbus-tcp', timeoutMs: 100, points }
  })
  const first = devices.length > 0 ? 'd0.p0' : 'none.p0'
  return stringify({
    site: 'park',
    edge: `e${n}`,
    dataDir: `./data-${n}`,
    uplink: {
      url: `mqtt://127.0.0.1:${broker}`,
      ...(g.uplinkPassword ? { username: `park/e${n}`, passwordEnv: g.uplinkPassword } : {}),
    },
    devices,
    ...(g.console ? { console: { listen: '127.0.0.1:0', passwordEnv: g.console } } : {}),
    ...(g.alarm === 'none'
      ? {}
      : { alarms: { points: [{ id: g.alarm === 'known' ? first : `${first}x`, limits: { hh: 10 } }] } }),
  })
}

/** The agent's verdict: it starts from the document, or refuses it. */
async function agentStarts(text: string, file: string): Promise<boolean> {
  const parsed = EdgeConfigSchema.safeParse(parseDocument(text).toJS())
  if (!parsed.success) return false
  try {
    const agent = await startEdgeAgent(resolveEdgeConfig(parsed.data, path.dirname(file)), {
      env: ENV,
      log: createLogger('check-test', 'silent'),
    })
    await agent.stop()
    return true
  } catch {
    return false
  }
}

describe('one validation (issue 19)', () => {
  it('validate refuses every generated config the agent refuses, and accepts every one it starts from', async () => {
    let n = 0
    const seen = { accepted: 0, refused: 0 }
    await fc.assert(
      fc.asyncProperty(doc, async (g) => {
        const file = path.join(dir, `edge-${++n}.yaml`)
        const text = configText(g, n)
        const verdict = checkEdgeConfigText(text, file, ENV)
        const started = await agentStarts(text, file)
        seen[started ? 'accepted' : 'refused']++
        expect({
          validate: verdict.ok,
          problems: verdict.problems.map((p) => `${p.path}: ${p.message}`),
        }).toMatchObject({ validate: started })
      }),
      // 200 runs: with 60 a seed now and then drew no config the agent starts from, and the
      // both-directions check below failed (CI, 2026-12-06).
      { numRuns: 200, seed: Number(process.env.PARKLINK_CHECK_SEED ?? Date.now() % 100_000) },
    )
    // Both verdicts occurred: the property was tested in both directions.
    expect(seen.accepted).toBeGreaterThan(0)
    expect(seen.refused).toBeGreaterThan(0)
  }, 120_000)

  it.each([
    ['an unknown table prefix', 'address: xr5', 'devices.0.points.0.address', /invalid Modbus address "xr5"/],
    ['a protocol address above 65535', 'address: hr99999', 'devices.0.points.0.address', /0–65535/],
    ['an IPv4 address with a part above 255', 'host: 192.168.10.300', 'devices.0.host', /300 is above 255/],
    ['a float on a coil', 'address: co1, type: float32', 'devices.0.points.0.type', /does not fit the coil table/],
  ])('refuses %s with its line', (_name, change, where, message) => {
    const text = [
      'site: park',
      'edge: e1',
      'dataDir: ./d',
      'uplink: { url: "mqtt://127.0.0.1:1883" }',
      'devices:',
      '  - id: plc',
      '    kind: modbus-tcp',
      `    ${change.startsWith('host') ? change : 'host: 127.0.0.1'}`,
      `    points: [{ id: a.b, ${change.startsWith('host') ? 'address: hr0' : change} }]`,
      '',
    ].join('\n')
    const r = checkEdgeConfigText(text, path.join(dir, 'one.yaml'), ENV)
    expect(r.ok).toBe(false)
    expect(r.problems).toEqual([
      expect.objectContaining({
        path: where,
        message: expect.stringMatching(message),
        line: where.endsWith('host') ? 8 : 9,
      }),
    ])
  })

  it('reduces a YAML indentation mistake to one line with its position and what to do', () => {
    const r = checkEdgeConfigText(
      'site: a\nedge: b\ndataDir: x\nuplink:\n  url: mqtt://h:1\n devices: []\n',
      path.join(dir, 'indent.yaml'),
      ENV,
    )
    expect(r.problems).toEqual([
      expect.objectContaining({
        line: 6,
        message: expect.stringMatching(/^YAML syntax error at line 6, column \d+: /),
        hint: expect.stringMatching(/spaces/),
      }),
    ])
  })

  it('names what a misspelt key, kind or point id was probably meant to be, sorted by line', () => {
    const text = [
      'site: park',
      'edge: e1',
      'dataDir: ./d',
      'uplink: { url: "mqtt://127.0.0.1:1883", usrname: x }',
      'devices:',
      '  - { id: plc, kind: modbus-tpc, host: 127.0.0.1, points: [{ id: a.b, address: hr0 }] }',
      '  - { id: plc2, kind: modbus-tcp, host: 127.0.0.1, points: [{ id: tk.level, address: hr0 }] }',
      'alarms: { points: [{ id: tk.levle, limits: { hh: 1 } }] }',
      '',
    ].join('\n')
    const r = checkEdgeConfigText(text, path.join(dir, 'typo.yaml'), ENV)
    expect(r.problems.map((p) => [p.line, p.message.replace(/:.*$/, '')])).toEqual([
      [4, 'unknown key "usrname" (did you mean "username"?)'],
      [6, 'unknown kind "modbus-tpc" (did you mean "modbus-tcp"?)'],
      [8, 'no device reads point "tk.levle" (did you mean "tk.level"?)'],
    ])
  })

  it('refuses a password variable that is not set, at the line that names it', () => {
    const text = [
      'site: park',
      'edge: e1',
      'dataDir: ./d',
      'uplink:',
      '  url: "mqtt://127.0.0.1:1883"',
      '  username: park/e1',
      '  passwordEnv: UNSET_PW',
      'devices: []',
      '',
    ].join('\n')
    const r = checkEdgeConfigText(text, path.join(dir, 'pw.yaml'), ENV)
    expect(r.problems).toEqual([
      expect.objectContaining({ line: 7, path: 'uplink.passwordEnv', message: expect.stringMatching(/UNSET_PW/) }),
    ])
  })
})
