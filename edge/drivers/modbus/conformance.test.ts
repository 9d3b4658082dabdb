import { runDriverConformance } from '../../../test/conformance/driver.suite.ts'
import { startModbusSim } from '../../../test/sim/modbus-sim.ts'
import { freePort } from '../../../test/util/ports.ts'
import { ModbusTcpDeviceConfig } from './config.ts'
import { createModbusTcpDriver } from './index.ts'

const points = [
  { id: 'tk.level', address: 'hr0', type: 'float32' },
  { id: 'tk.temp', address: 'ir0', type: 'int16', scale: 0.1 },
  { id: 'pump.run', address: 'co3' },
  { id: 'tk.lshh', address: 'di1' },
]

const device = (port: number) =>
  ModbusTcpDeviceConfig.parse({
    id: 'plc',
    kind: 'modbus-tcp',
    host: '127.0.0.1',
    port,
    pollMs: 200,
    timeoutMs: 500,
    points,
  })

runDriverConformance({
  name: 'modbus-tcp',
  makeServer: async () => {
    const sim = await startModbusSim()
    sim.setValue('holding', 0, 3.25, 'float32')
    sim.setInput(0, [215])
    return sim
  },
  makeDriver: (sim, deps) => createModbusTcpDriver(device(sim.port), deps),
  // A port nobody listens on: connection refused.
  makeUnreachable: async (deps) => ({ driver: createModbusTcpDriver(device(await freePort()), deps) }),
})
