import { afterEach, describe, expect, it } from 'vitest'
import { systemClock } from '../../../shared/clock.ts'
import type { Sample } from '../../../shared/wire/sample.ts'
import { runDriverConformance } from '../../../test/conformance/driver.suite.ts'
import { startModbusRtuSim, type ModbusRtuSim } from '../../../test/sim/modbus-rtu-sim.ts'
import { startRtuTcpBridge, type RtuTcpBridge } from '../../../test/sim/rtu-tcp-bridge.ts'
import { freePort } from '../../../test/util/ports.ts'
import { waitFor } from '../../../test/util/wait.ts'
import { createLogger } from '../../log.ts'
import { readModbusAddress } from '../../tools/read-point.ts'
import { scanModbus } from '../../tools/scan-modbus.ts'
import { startPoller, type Poller } from '../poller.ts'
import { ModbusRtuOverTcpDeviceConfig } from './config.ts'
import { createModbusRtuOverTcpDriver } from './rtu.ts'

/**
 * `modbus-rtu-over-tcp` against RS485 slaves behind a transparent serial server (a socat bridge
 * from a TCP port to the simulated line): RTU frames with their CRC on the socket.
 */
const log = createLogger('rtu-over-tcp-test', 'silent')
const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})

const device = (port: number, units: unknown[]) =>
  ModbusRtuOverTcpDeviceConfig.parse({
    id: 'serial-server',
    kind: 'modbus-rtu-over-tcp',
    host: '127.0.0.1',
    port,
    units,
  })

/** The line and its serial server, going away and coming back together (a power cut of the cabinet). */
async function line(unitIds: number[]): Promise<ModbusRtuSim & { bridge: RtuTcpBridge }> {
  const sim = await startModbusRtuSim({ unitIds })
  const bridge = await startRtuTcpBridge(sim.path).catch(async (err) => {
    await sim.stop()
    throw err
  })
  const stopLine = sim.stop
  const restartLine = sim.restart
  return Object.assign(sim, {
    bridge,
    stop: async () => {
      await bridge.stop()
      await stopLine()
    },
    restart: async () => {
      await restartLine()
      await bridge.restart()
    },
  })
}

describe('Modbus RTU over TCP (transparent serial server)', () => {
  it('reads several slaves over one socket; an absent slave is bad and costs the others nothing', async () => {
    const s = await line([1, 2])
    cleanup.push(() => s.stop())
    s.setValue('holding', 0, 41.25, 'float32')
    s.setInput(3, [65_535 - 54])
    const driver = createModbusRtuOverTcpDriver(
      device(s.bridge.port, [
        {
          unitId: 1,
          pollMs: 200,
          timeoutMs: 200,
          points: [
            { id: 'l.1.level', address: 'hr0', type: 'float32' },
            { id: 'l.1.temp', address: 'ir3', type: 'int16', scale: 0.1 },
          ],
        },
        { unitId: 2, pollMs: 200, timeoutMs: 200, points: [{ id: 'l.2.level', address: 'hr0', type: 'float32' }] },
        { unitId: 9, pollMs: 200, timeoutMs: 200, points: [{ id: 'l.9.level', address: 'hr0' }] },
      ]),
      { clock: systemClock, log },
    )
    expect(driver.kind).toBe('modbus-rtu-over-tcp')
    const latest = new Map<string, Sample>()
    let poller: Poller | null = null
    cleanup.push(async () => {
      await poller?.stop()
      await driver.stop()
    })
    await driver.start()
    poller = startPoller({
      drivers: [driver],
      clock: systemClock,
      log,
      onSamples: (_d, batch) => batch.forEach((x) => latest.set(x.point, x)),
    })
    await waitFor(
      () =>
        latest.get('l.1.level')?.value === 41.25 &&
        latest.get('l.2.level')?.value === 41.25 &&
        latest.get('l.9.level')?.quality === 'bad',
      { message: () => JSON.stringify([...latest.values()]) },
    )
    expect(latest.get('l.1.temp')).toMatchObject({ quality: 'good', value: -5.5 })
    expect(driver.status()).toMatchObject({ state: 'degraded', lastError: expect.stringContaining('unit 9') })
  })

  it('scan and read modbus reach the slaves through the serial server', async () => {
    const s = await line([3, 7])
    cleanup.push(() => s.stop())
    s.setValue('holding', 10, 1234, 'uint16')
    const target = { rtuOverTcp: { host: '127.0.0.1', port: s.bridge.port } }
    const found = await scanModbus(target, [1, 2, 3, 4, 5, 6, 7], 150)
    expect(found.found.map((f) => f.unitId)).toEqual([3, 7])
    expect(found.target).toContain('RTU over TCP')
    const r = await readModbusAddress({ target, unitId: 7, address: 'hr10', timeoutMs: 300 })
    expect(r).toMatchObject({ quality: 'good', value: 1234, raw: ['0x04d2'] })
  })
})

runDriverConformance({
  name: 'modbus-rtu-over-tcp (socat serial server)',
  makeServer: async () => {
    const s = await line([1, 2])
    s.setValue('holding', 0, 41.25, 'float32')
    s.setInput(0, [215])
    return s
  },
  makeDriver: (s, deps) =>
    createModbusRtuOverTcpDriver(
      device(s.bridge.port, [
        {
          unitId: 1,
          pollMs: 200,
          timeoutMs: 200,
          points: [
            { id: 'l.b.level', address: 'hr0', type: 'float32' },
            { id: 'l.b.temp', address: 'ir0', type: 'int16', scale: 0.1 },
          ],
        },
        { unitId: 2, pollMs: 250, timeoutMs: 200, points: [{ id: 'l.m1.level', address: 'hr0', type: 'float32' }] },
      ]),
      deps,
    ),
  makeUnreachable: async (deps) => ({
    driver: createModbusRtuOverTcpDriver(
      device(await freePort(), [{ unitId: 1, pollMs: 200, points: [{ id: 'l.x', address: 'hr0' }] }]),
      deps,
    ),
  }),
})
