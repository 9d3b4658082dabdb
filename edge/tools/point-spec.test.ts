import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { startModbusSim, type ModbusSim } from '../../test/sim/modbus-sim.ts'
import { startParklink, stopAll } from '../../test/util/child.ts'
import { EdgeConfigSchema, resolveEdgeConfig } from '../config.ts'
import { pointReadSpec } from './point-spec.ts'

/** `read point`: the configured point's own settings, and one live read through the real CLI. */
const raw = (port: number) => ({
  site: 'huaian',
  edge: 'e1',
  dataDir: './data',
  uplink: { url: 'mqtt://127.0.0.1:1' },
  devices: [
    {
      id: 'gds',
      kind: 'modbus-tcp',
      host: '127.0.0.1',
      port,
      unitId: 3,
      timeoutMs: 300,
      order: 'CDAB',
      points: [
        { id: 'nh3.1', name: '氨气浓度', unit: 'ppm', address: 'ir6', type: 'float32' },
        { id: 'nh3.raw', address: 'ir6', type: 'float32', order: 'ABCD', scale: 2 },
      ],
    },
    {
      id: 'line',
      kind: 'modbus-rtu',
      port: '/dev/ttyS1',
      baudRate: 19200,
      parity: 'none',
      units: [{ unitId: 5, order: 'DCBA', points: [{ id: 'pg.m1', address: 'hr0', type: 'float32' }] }],
    },
    {
      id: 'nport',
      kind: 'modbus-rtu-over-tcp',
      host: '10.20.1.40',
      port: 4001,
      units: [{ unitId: 2, timeoutMs: 400, points: [{ id: 'pg.m2', address: 'hr4', type: 'float32' }] }],
    },
    {
      id: 'env',
      kind: 'hj212',
      host: '127.0.0.1',
      port: 9000,
      instruments: [{ mn: '88888880000001', requirePassword: false, points: [{ id: 'cod', factor: 'w01018' }] }],
    },
  ],
})

describe('edge read point', () => {
  let sim: ModbusSim
  let dir: string
  beforeAll(async () => {
    sim = await startModbusSim({ unitIds: [3] })
    sim.setValue('input', 6, 12.5, 'float32', 'CDAB')
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-read-point-'))
  })
  afterAll(async () => {
    await stopAll()
    await sim.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it("takes the point's order, else its unit's, else its device's, with the device's unit id and timeout", () => {
    const parsed = EdgeConfigSchema.safeParse(raw(502))
    if (!parsed.success) throw new Error(parsed.error.message)
    const config = resolveEdgeConfig(parsed.data, '/tmp')
    expect(pointReadSpec(config, 'nh3.1')).toMatchObject({
      device: 'gds',
      name: '氨气浓度',
      unit: 'ppm',
      spec: {
        target: { tcp: { host: '127.0.0.1', port: 502 } },
        unitId: 3,
        timeoutMs: 300,
        address: 'ir6',
        type: 'float32',
        order: 'CDAB',
        scale: 1,
      },
    })
    expect(pointReadSpec(config, 'nh3.raw').spec).toMatchObject({ order: 'ABCD', scale: 2 })
    expect(pointReadSpec(config, 'pg.m1').spec).toMatchObject({
      target: { serial: { path: '/dev/ttyS1', baudRate: 19200, parity: 'none' } },
      unitId: 5,
      order: 'DCBA',
    })
    expect(pointReadSpec(config, 'pg.m2').spec).toMatchObject({
      target: { rtuOverTcp: { host: '10.20.1.40', port: 4001 } },
      unitId: 2,
      timeoutMs: 400,
      order: 'ABCD',
    })
    expect(() => pointReadSpec(config, 'cod')).toThrow(/hj212 device env/)
    expect(() => pointReadSpec(config, 'nh3')).toThrow(
      expect.objectContaining({ code: 'PL_NOT_FOUND', hint: expect.stringContaining('nh3.1') }),
    )
  })

  it('reads a float32 in CDAB order through the CLI, with raw registers and quality; exit 1 when the device is gone, 2 for an unknown point', async () => {
    const file = path.join(dir, 'edge.yaml')
    writeFileSync(file, stringify({ ...raw(sim.port), devices: raw(sim.port).devices.slice(0, 1) }))
    const run = async (args: string[]) => {
      const child = startParklink('read-point', args)
      return { code: await child.exited, output: child.output() }
    }
    const ok = await run(['edge', 'read', 'point', 'nh3.1', '--config', file, '--json'])
    expect(ok.code).toBe(0)
    expect(JSON.parse(ok.output.trim().split('\n').at(-1)!)).toMatchObject({
      point: 'nh3.1',
      unit: 'ppm',
      unitId: 3,
      order: 'CDAB',
      quality: 'good',
      value: 12.5,
      raw: ['0x0000', '0x4148'],
    })
    const unknown = await run(['edge', 'read', 'point', 'nh3', '--config', file])
    expect(unknown.code).toBe(2)
    expect(unknown.output).toMatch(/no point "nh3"[\s\S]*did you mean nh3\.1/)
    await sim.stop()
    const gone = await run(['edge', 'read', 'point', 'nh3.1', '--config', file])
    expect(gone.code).toBe(1)
    expect(gone.output).toMatch(/no value: quality bad/)
    await sim.restart()
  }, 60_000)
})
