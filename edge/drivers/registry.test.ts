import { describe, expect, it } from 'vitest'
import { systemClock } from '../../shared/clock.ts'
import { EdgeConfigSchema } from '../config.ts'
import { createLogger } from '../log.ts'
import { createDriver, driverKinds } from './registry.ts'

describe('driver registry', () => {
  it('knows every device kind the config schema accepts', () => {
    const kinds = EdgeConfigSchema.shape.devices.element.options.map((o) => o.shape.kind.value)
    expect([...driverKinds].sort()).toEqual([...kinds].sort())
  })

  it('builds a Modbus TCP driver for a modbus-tcp device, without touching the network', async () => {
    const config = EdgeConfigSchema.parse({
      site: 's',
      edge: 'e',
      dataDir: '.',
      uplink: { url: 'mqtt://127.0.0.1:1' },
      devices: [
        {
          id: 'plc1',
          kind: 'modbus-tcp',
          host: '127.0.0.1',
          port: 1,
          pollMs: 500,
          points: [{ id: 'e.tk.level', name: '液位', unit: 'm', address: 'hr0', type: 'float32' }],
        },
      ],
    })
    const driver = await createDriver(config.devices[0]!, {
      clock: systemClock,
      log: createLogger('registry-test', 'silent'),
    })
    expect(driver).toMatchObject({ device: 'plc1', kind: 'modbus-tcp', pollIntervalMs: 500 })
    expect(driver.points.map((p) => p.id)).toEqual(['e.tk.level'])
    await driver.stop()
  })
})
