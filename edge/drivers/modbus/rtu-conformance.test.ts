import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { runDriverConformance } from '../../../test/conformance/driver.suite.ts'
import { startModbusRtuSim } from '../../../test/sim/modbus-rtu-sim.ts'
import { ModbusRtuDeviceConfig } from './config.ts'
import { createModbusRtuDriver } from './rtu.ts'

const device = (port: string) =>
  ModbusRtuDeviceConfig.parse({
    id: 'gallery-485',
    kind: 'modbus-rtu',
    port,
    baudRate: 19200,
    parity: 'none',
    units: [
      {
        unitId: 1,
        pollMs: 200,
        timeoutMs: 200,
        points: [
          { id: 'g.b.level', address: 'hr0', type: 'float32' },
          { id: 'g.b.temp', address: 'ir0', type: 'int16', scale: 0.1 },
        ],
      },
      { unitId: 2, pollMs: 250, timeoutMs: 200, points: [{ id: 'g.m1.level', address: 'hr0', type: 'float32' }] },
    ],
  })

// "Server restart" here is the whole line going away and coming back under the same path (a
// pulled USB adapter, a cabinet power cut): the driver must notice and reopen its port.
runDriverConformance({
  name: 'modbus-rtu (socat pty line)',
  makeServer: async () => {
    const sim = await startModbusRtuSim({ unitIds: [1, 2] })
    sim.setValue('holding', 0, 41.25, 'float32')
    sim.setInput(0, [215])
    return sim
  },
  makeDriver: (sim, deps) => createModbusRtuDriver(device(sim.path), deps),
  // A serial device that does not exist.
  makeUnreachable: (deps) => ({
    driver: createModbusRtuDriver(
      device(path.join(mkdtempSync(path.join(tmpdir(), 'parklink-no-tty-')), 'ttyUSB9')),
      deps,
    ),
  }),
})
