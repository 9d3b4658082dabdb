import type { DeviceConfig, DeviceKind } from '../config.ts'
import type { Driver, DriverDeps } from './driver.ts'

/**
 * `kind` → driver factory, loaded on first use: a protocol stack is imported only when a device
 * needs it (node-opcua alone takes about a second to load on an edge box). The mapped type makes
 * a new device kind in the config schema a compile error here until its driver is registered,
 * so a config can never name a kind the agent cannot run.
 */
type Factory<K extends DeviceKind> = (config: Extract<DeviceConfig, { kind: K }>, deps: DriverDeps) => Driver

const loaders: { [K in DeviceKind]: () => Promise<Factory<K>> } = {
  'modbus-tcp': async () => (await import('./modbus/index.ts')).createModbusTcpDriver,
  'modbus-rtu': async () => (await import('./modbus/rtu.ts')).createModbusRtuDriver,
  'modbus-gateway': async () => (await import('./modbus/rtu.ts')).createModbusGatewayDriver,
  'modbus-rtu-over-tcp': async () => (await import('./modbus/rtu.ts')).createModbusRtuOverTcpDriver,
  hj212: async () => (await import('./hj212/index.ts')).createHj212Driver,
  opcua: async () => (await import('./opcua/index.ts')).createOpcuaDriver,
  onvif: async () => (await import('./onvif/index.ts')).createOnvifDriver,
}

export const driverKinds = Object.keys(loaders) as DeviceKind[]

export async function createDriver(config: DeviceConfig, deps: DriverDeps): Promise<Driver> {
  // Narrowed by `kind`; TypeScript cannot correlate the lookup with the argument's type.
  const factory = (await loaders[config.kind]()) as (config: DeviceConfig, deps: DriverDeps) => Driver
  return factory(config, deps)
}
