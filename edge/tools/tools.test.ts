import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startModbusSim, type ModbusSim } from '../../test/sim/modbus-sim.ts'
import { startParklink, stopAll } from '../../test/util/child.ts'
import { freePort } from '../../test/util/ports.ts'
import { readModbusAddress } from './read-point.ts'
import { scanModbus } from './scan-modbus.ts'
import { parseUnitList } from './units.ts'

/** The technician's tools against the simulators: in process, and once through the real CLI. */
describe('parklink edge scan / read (Modbus)', () => {
  let sim: ModbusSim
  beforeAll(async () => {
    sim = await startModbusSim({ unitIds: [1, 3, 17], separateUnits: true, size: 100 })
    sim.unit(3).setValue('input', 6, 12.5, 'float32', 'CDAB')
  })
  afterAll(async () => {
    await stopAll()
    await sim.stop()
  })

  it('parses unit lists', () => {
    expect(parseUnitList('1-3,7, 9-10')).toEqual([1, 2, 3, 7, 9, 10])
    expect(() => parseUnitList('1-300', 247)).toThrow(/not a unit id or range/)
    expect(() => parseUnitList('x')).toThrow(/hint|unit id/)
  })

  it('scan finds the simulated unit ids and only those', async () => {
    const progress: Array<{ done: number; found: number; leftMs: number | null }> = []
    const r = await scanModbus(
      { tcp: { host: '127.0.0.1', port: sim.port } },
      parseUnitList('1-20'),
      100,
      (_d, _t, p) => progress.push(p),
    )
    expect(r.found.map((f) => f.unitId)).toEqual([1, 3, 17])
    expect(r.silent).toBe(17)
    expect(progress.map((p) => p.done)).toEqual(parseUnitList('1-20'))
    // Found so far: unit 3 is the second to answer.
    expect(progress[2]).toMatchObject({ done: 3, found: 2 })
    expect(progress.at(-1)).toMatchObject({ done: 20, found: 3, leftMs: 0 })
  })

  it('read decodes a float32 in CDAB order and shows the raw registers', async () => {
    const r = await readModbusAddress({
      target: { tcp: { host: '127.0.0.1', port: sim.port } },
      unitId: 3,
      address: 'ir6',
      type: 'float32',
      order: 'CDAB',
      timeoutMs: 500,
    })
    expect(r).toEqual({ quality: 'good', value: 12.5, raw: ['0x0000', '0x4148'] })
    const absent = await readModbusAddress({
      target: { tcp: { host: '127.0.0.1', port: sim.port } },
      unitId: 9,
      address: 'ir6',
      timeoutMs: 200,
    })
    expect(absent).toMatchObject({ quality: 'bad', reason: expect.stringMatching(/^timeout/) })
  })

  it('read decodes through the driver: a NaN reads bad, as the agent sends it', async () => {
    sim.unit(3).setValue('holding', 20, Number.NaN, 'float32', 'ABCD')
    const r = await readModbusAddress({
      target: { tcp: { host: '127.0.0.1', port: sim.port } },
      unitId: 3,
      address: 'hr20',
      type: 'float32',
      timeoutMs: 500,
    })
    expect(r).toMatchObject({
      quality: 'bad',
      value: null,
      reason: 'decode_error:not a finite number',
      raw: ['0x7fc0', '0x0000'],
    })
    await expect(
      readModbusAddress({
        target: { tcp: { host: '127.0.0.1', port: sim.port } },
        unitId: 3,
        address: 'co1',
        type: 'float32',
        timeoutMs: 500,
      }),
    ).rejects.toThrow(/does not fit the coil table/)
  })

  it('through the CLI: a clear answer and exit 1 when nothing answers; exit 2 on bad usage', async () => {
    const run = async (args: string[]) => {
      const child = startParklink('tools', args)
      return { code: await child.exited, output: child.output() }
    }
    const found = await run([
      'edge',
      'scan',
      'modbus',
      '--host',
      '127.0.0.1',
      '--port',
      String(sim.port),
      '--units',
      '1-4',
      '--timeout-ms',
      '100',
      '--json',
    ])
    expect(found.code).toBe(0)
    const lines = found.output.trim().split('\n')
    const result = JSON.parse(lines.find((l) => l.startsWith('{"target"'))!)
    expect(result.found.map((f: { unitId: number }) => f.unitId)).toEqual([1, 3])
    // Not a terminal: progress as JSON lines on stderr, one per unit id.
    const progress = lines.filter((l) => l.startsWith('{"progress"')).map((l) => JSON.parse(l).progress)
    expect(progress.map((p: { done: number }) => p.done)).toEqual([1, 2, 3, 4])
    expect(progress.at(-1)).toMatchObject({ total: 4, found: 2, leftMs: 0 })
    const none = await run([
      'edge',
      'scan',
      'modbus',
      '--host',
      '127.0.0.1',
      '--port',
      String(sim.port),
      '--units',
      '5-6',
      '--timeout-ms',
      '100',
    ])
    expect(none).toMatchObject({
      code: 1,
      output: expect.stringContaining(
        `no Modbus device answered at 127.0.0.1:${sim.port} (timeout 100 ms per unit, 2 unit ids)`,
      ),
    })
    const refused = await run([
      'edge',
      'scan',
      'modbus',
      '--host',
      '127.0.0.1',
      '--port',
      String(await freePort()),
      '--units',
      '1',
    ])
    expect(refused.code).toBe(1)
    expect(refused.output).toMatch(/cannot open 127\.0\.0\.1:\d+: .*\n.*hint: check the IP address/)
    expect((await run(['edge', 'scan', 'modbus', '--units', '1'])).code).toBe(2)
    const read = await run([
      'edge',
      'read',
      'modbus',
      'ir6',
      '--host',
      '127.0.0.1',
      '--port',
      String(sim.port),
      '--unit',
      '3',
      '--type',
      'float32',
      '--order',
      'CDAB',
    ])
    expect(read).toMatchObject({ code: 0, output: expect.stringContaining('ir6 = 12.5   raw 0x0000 0x4148') })
  }, 60_000)
})

describe('parklink edge browse opcua', () => {
  it('lists the simulated tanks with data types, units, ranges and limits', async () => {
    const { startOpcuaSim } = await import('../../test/sim/opcua-sim.ts')
    const { mkdtempSync, rmSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const path = await import('node:path')
    const sim = await startOpcuaSim()
    const dir = mkdtempSync(path.join(tmpdir(), 'parklink-browse-'))
    try {
      const child = startParklink('browse', [
        'edge',
        'browse',
        'opcua',
        sim.endpoint,
        '--node',
        'ns=1;s=FuqiangDCS',
        '--depth',
        '2',
        '--accept-unknown-certificate',
        '--data-dir',
        dir,
      ])
      const code = await child.exited
      expect(code, child.output()).toBe(0)
      expect(child.output()).toContain('TK201  ns=1;s=TK201')
      expect(child.output()).toContain(
        '液氯储罐TK-201液位  ns=1;s=TK201.Level  [Double, m, 0…12, HH 10.5 H 9.5 L 1.5 LL 0.8]',
      )
      expect(child.output()).toContain('氯气检测器GT-201  ns=1;s=GT201.Cl2  [Double, ppm, 0…20, HH 2 H 1]')
    } finally {
      await sim.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})
