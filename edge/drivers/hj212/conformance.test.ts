import { runDriverConformance } from '../../../test/conformance/driver.suite.ts'
import { startHj212Client, type Hj212Client } from '../../../test/sim/hj212-client.ts'
import { freePort } from '../../../test/util/ports.ts'
import { Hj212DeviceConfig } from './config.ts'
import { createHj212Driver } from './index.ts'

// The "server" is the instrument: it connects in (retrying until the listener is up), so it is
// started first, on a port chosen for the listener.
type Instrument = Hj212Client & { port: number }

runDriverConformance<Instrument>({
  name: 'hj212 (listener)',
  makeServer: async () => {
    const port = await freePort()
    const client = await startHj212Client({
      port,
      mn: 'A3208000000009',
      pw: 'pw-0009',
      factors: { w01018: () => 18.5, w21003: () => 0.4 },
      intervalMs: 250,
    })
    return Object.assign(client, { port })
  },
  makeDriver: (instrument, deps) =>
    createHj212Driver(
      Hj212DeviceConfig.parse({
        id: 'env-station',
        kind: 'hj212',
        host: '127.0.0.1',
        port: instrument.port,
        staleAfterMs: 1_500,
        instruments: [
          {
            mn: 'A3208000000009',
            passwordEnv: 'PARKLINK_TEST_HJ212_PW',
            points: [
              { id: 'park.ws9.cod', factor: 'w01018' },
              { id: 'park.ws9.nh3n', factor: 'w21003' },
            ],
          },
        ],
      }),
      deps,
      { PARKLINK_TEST_HJ212_PW: 'pw-0009' },
    ),
  // A listener reaches out to nothing: there is no unreachable device, only a silent one (the
  // server-restart test covers that: the instrument disconnects and its points turn bad).
  skip: ['unreachable'],
})
