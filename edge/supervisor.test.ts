import { createServer, type AddressInfo } from 'node:net'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { freePort } from '../test/util/ports.ts'
import { waitFor } from '../test/util/wait.ts'
import { createLogger } from './log.ts'
import { startSupervisedEdge, type SupervisedEdge } from './supervisor.ts'

let dir: string
let file: string
let edge: SupervisedEdge | null = null
let broker: number
let plc: number
/** Something listening, so a console configured on its port cannot start. */
let busy: { port: number; close(): Promise<void> }
const env = { PARKLINK_TEST_CONSOLE_PW: 'long-enough-password' }

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'parklink-supervisor-'))
  file = path.join(dir, 'edge.yaml')
  broker = await freePort()
  plc = await freePort()
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  busy = {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
})
afterEach(async () => {
  await edge?.stop()
  edge = null
  await busy.close()
  rmSync(dir, { recursive: true, force: true })
})

const config = (points: string[], extraDevice = '') =>
  [
    'site: huaian',
    'edge: e1',
    'dataDir: ./data',
    `uplink: { url: "mqtt://127.0.0.1:${broker}", reconnectMinMs: 100, reconnectMaxMs: 200 }`,
    'devices:',
    `  - { id: plc, kind: modbus-tcp, host: 127.0.0.1, port: ${plc}, points: [${points.map((p, i) => `{ id: ${p}, address: hr${i} }`).join(', ')}] }`,
    extraDevice,
    '',
  ].join('\n')

describe('config apply with rollback', () => {
  it('applies a valid change, refuses an invalid one, and rolls back one that cannot start', async () => {
    writeFileSync(file, config(['e1.a']))
    edge = await startSupervisedEdge(file, createLogger('supervisor-test', 'silent'), {
      watchIntervalMs: 3_600_000,
      env,
    })
    const first = edge.agent().configHash
    expect(await edge.apply()).toEqual({ outcome: 'unchanged' })

    const b = config(['e1.a', 'e1.b'])
    writeFileSync(file, b)
    const applied = await edge.apply()
    expect(applied).toMatchObject({ outcome: 'applied' })
    expect(edge.agent().configHash).not.toBe(first)
    const second = edge.agent().configHash

    writeFileSync(file, 'site: [unclosed')
    expect(await edge.apply()).toMatchObject({ outcome: 'invalid', error: expect.stringMatching(/YAML/) })
    expect(edge.agent().configHash).toBe(second)

    // Refused by the same check as `parklink edge validate` (the OPC UA password variable is
    // not set): the running agent is not even stopped.
    const unset = config(
      ['e1.a', 'e1.b'],
      '  - { id: dcs, kind: opcua, endpoint: "opc.tcp://127.0.0.1:1/x", identity: { type: username, username: u, passwordEnv: PARKLINK_TEST_UNSET_PW }, points: [{ id: e1.x, nodeId: "ns=2;s=X" }] }',
    )
    writeFileSync(file, unset)
    expect(await edge.apply()).toMatchObject({
      outcome: 'invalid',
      error: expect.stringContaining('PARKLINK_TEST_UNSET_PW'),
    })
    expect(edge.agent().configHash).toBe(second)

    // Valid, but it cannot start: the console's port is taken.
    const c =
      config(['e1.a', 'e1.b']) +
      `console: { listen: "127.0.0.1:${busy.port}", passwordEnv: PARKLINK_TEST_CONSOLE_PW }\n`
    writeFileSync(file, c)
    expect(await edge.apply()).toMatchObject({
      outcome: 'rolled-back',
      error: expect.stringContaining(String(busy.port)),
    })
    expect(edge.agent().configHash).toBe(second)
    expect(readFileSync(file, 'utf8')).toBe(b)
    expect(readFileSync(`${file}.failed`, 'utf8')).toBe(c)
    expect(
      edge
        .agent()
        .status()
        .drivers.map((d) => d.device),
    ).toEqual(['plc'])
  })

  it('keeps the previous config running when the rolled-back file cannot be written (e.g. a read-only config directory)', async () => {
    writeFileSync(file, config(['e1.a']))
    edge = await startSupervisedEdge(file, createLogger('supervisor-test', 'silent'), {
      watchIntervalMs: 3_600_000,
      env,
    })
    const first = edge.agent().configHash
    mkdirSync(`${file}.failed`) // FILE.failed cannot be written, as under ProtectSystem=strict without ReadWritePaths
    const c =
      config(['e1.a']) + `console: { listen: "127.0.0.1:${busy.port}", passwordEnv: PARKLINK_TEST_CONSOLE_PW }\n`
    writeFileSync(file, c)
    expect(await edge.apply()).toMatchObject({ outcome: 'rolled-back' })
    expect(edge.agent().configHash).toBe(first)
    expect(
      edge
        .agent()
        .status()
        .drivers.map((d) => d.device),
    ).toEqual(['plc'])
  })

  it('picks a changed file up by itself', async () => {
    writeFileSync(file, config(['e1.a']))
    edge = await startSupervisedEdge(file, createLogger('supervisor-test', 'silent'), { watchIntervalMs: 100 })
    const first = edge.agent().configHash
    writeFileSync(file, config(['e1.a', 'e1.c']))
    await waitFor(() => edge!.agent().configHash !== first, { message: 'the change was not applied' })
  })
})
