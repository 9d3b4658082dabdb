import { runDriverConformance } from '../../../test/conformance/driver.suite.ts'
import { startOpcuaSim } from '../../../test/sim/opcua-sim.ts'
import { freePort } from '../../../test/util/ports.ts'
import { OpcuaDeviceConfig } from './config.ts'
import { createOpcuaDriver } from './index.ts'

const device = (endpoint: string) =>
  OpcuaDeviceConfig.parse({
    id: 'fuqiang-dcs',
    kind: 'opcua',
    endpoint,
    acceptUnknownServerCertificate: true,
    pollMs: 250,
    publishingIntervalMs: 100,
    samplingIntervalMs: 100,
    timeoutMs: 2_000,
    points: [
      { id: 'fuqiang.tk201.level', nodeId: 'ns=1;s=TK201.Level' },
      { id: 'fuqiang.tk202.temp', nodeId: 'ns=1;s=TK202.Temperature' },
      { id: 'fuqiang.gt202.cl2', nodeId: 'ns=1;s=GT202.Cl2' },
    ],
  })

runDriverConformance({
  name: 'opcua (subscriptions)',
  makeServer: () => startOpcuaSim(),
  makeDriver: (sim, deps) => createOpcuaDriver(device(sim.endpoint), deps),
  makeUnreachable: async (deps) => ({
    driver: createOpcuaDriver(device(`opc.tcp://127.0.0.1:${await freePort()}/UA/Nobody`), deps),
  }),
})
