import { afterEach, describe, expect, it } from 'vitest'
import { systemClock } from '../../../shared/clock.ts'
import type { Sample } from '../../../shared/wire/sample.ts'
import { runDriverConformance } from '../../../test/conformance/driver.suite.ts'
import { startModbusSim } from '../../../test/sim/modbus-sim.ts'
import { freePort } from '../../../test/util/ports.ts'
import { waitFor } from '../../../test/util/wait.ts'
import { createLogger } from '../../log.ts'
import { startPoller, type Poller } from '../poller.ts'
import { ModbusGatewayDeviceConfig } from './config.ts'
import { createModbusGatewayDriver } from './rtu.ts'

const log = createLogger('gateway-test', 'silent')
const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})

const device = (port: number, units: unknown[]) =>
  ModbusGatewayDeviceConfig.parse({ id: 'gw', kind: 'modbus-gateway', host: '127.0.0.1', port, units })

describe('Modbus TCP → RTU gateway', () => {
  it('reads several slaves over one connection; an absent slave is bad and costs the others nothing', async () => {
    const sim = await startModbusSim({ unitIds: [1, 2], separateUnits: true, responseMs: 5 })
    cleanup.push(() => sim.stop())
    sim.unit(1).setValue('holding', 0, 11.5, 'float32')
    sim.unit(2).setValue('holding', 0, 22.5, 'float32')
    const driver = createModbusGatewayDriver(
      device(sim.port, [
        { unitId: 1, pollMs: 200, timeoutMs: 150, points: [{ id: 'g.1', address: 'hr0', type: 'float32' }] },
        { unitId: 2, pollMs: 200, timeoutMs: 150, points: [{ id: 'g.2', address: 'hr0', type: 'float32' }] },
        { unitId: 9, pollMs: 200, timeoutMs: 150, points: [{ id: 'g.9', address: 'hr0', type: 'float32' }] },
      ]),
      { clock: systemClock, log },
    )
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
      onSamples: (_d, s) => s.forEach((x) => latest.set(x.point, x)),
    })
    await waitFor(
      () =>
        latest.get('g.1')?.value === 11.5 && latest.get('g.2')?.value === 22.5 && latest.get('g.9')?.quality === 'bad',
    )
    expect(sim.connections).toBe(1)
    expect(driver.status()).toMatchObject({ state: 'degraded', lastError: expect.stringContaining('unit 9') })
  })
})

runDriverConformance({
  name: 'modbus-gateway',
  makeServer: async () => {
    const sim = await startModbusSim({ unitIds: [1, 2], separateUnits: true })
    sim.unit(1).setValue('holding', 0, 1.5, 'float32')
    sim.unit(2).setInput(0, [7])
    return sim
  },
  makeDriver: (sim, deps) =>
    createModbusGatewayDriver(
      device(sim.port, [
        { unitId: 1, pollMs: 200, timeoutMs: 200, points: [{ id: 'g.level', address: 'hr0', type: 'float32' }] },
        { unitId: 2, pollMs: 200, timeoutMs: 200, points: [{ id: 'g.count', address: 'ir0' }] },
      ]),
      deps,
    ),
  makeUnreachable: async (deps) => ({
    driver: createModbusGatewayDriver(
      device(await freePort(), [{ unitId: 1, pollMs: 200, points: [{ id: 'g.x', address: 'hr0' }] }]),
      deps,
    ),
  }),
})
