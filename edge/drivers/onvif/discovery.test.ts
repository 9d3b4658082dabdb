import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startOnvifSim, type OnvifSim } from '../../../test/sim/onvif-sim.ts'
import { startParklink, stopAll } from '../../../test/util/child.ts'
import { discoverOnvif, parseProbeMatches } from './discovery.ts'

describe('ONVIF discovery (WS-Discovery)', () => {
  let sim: OnvifSim
  beforeAll(async () => {
    sim = await startOnvifSim({ model: 'DS-2CD2T47', manufacturer: 'Hik%20Vision' })
  })
  afterAll(async () => {
    await stopAll()
    await sim.close()
  })

  it('finds the simulated camera with a unicast probe: its device service address, name and hardware', async () => {
    const found = await discoverOnvif({
      probes: [{ host: sim.host, port: sim.discoveryPort }],
      multicast: false,
      timeoutMs: 500,
    })
    expect(found).toEqual([
      expect.objectContaining({
        urn: `urn:uuid:${sim.uuid}`,
        xaddrs: [sim.xaddr],
        hardware: 'DS-2CD2T47',
        name: 'Hik Vision',
        from: `${sim.host}:${sim.discoveryPort}`,
      }),
    ])
  })

  it('ignores answers that are not ProbeMatches', () => {
    expect(parseProbeMatches('<Envelope><Body><Hello/></Body></Envelope>', 'x')).toEqual([])
  })

  it('through the CLI: parklink edge scan onvif --probe HOST:PORT --json', async () => {
    const child = startParklink('scan-onvif', [
      'edge',
      'scan',
      'onvif',
      '--probe',
      `${sim.host}:${sim.discoveryPort}`,
      '--no-multicast',
      '--timeout-ms',
      '500',
      '--json',
    ])
    const code = await child.exited
    expect(code, child.output()).toBe(0)
    const line = child
      .output()
      .split('\n')
      .find((l) => l.startsWith('{"found"'))
    expect(JSON.parse(line!).found[0]).toMatchObject({ xaddrs: [sim.xaddr] })
  })
})
