import { startOnvifSim } from '../../test/sim/onvif-sim.ts'
import { DEMO_SCENARIO, intruderInside, type DemoScenario } from './scenario.ts'

/**
 * The demo's camera: a simulated ONVIF camera on the pipe gallery that sees an intruder as the
 * scenario says (`intruderInside`: for `holdS` every `everyS`, the first as soon as the edge has
 * subscribed), so an RYRQ alarm with its snapshot is in the API within a minute of `npm start`.
 */
export async function startDemoCamera(schedule: DemoScenario['camera'] = DEMO_SCENARIO.camera) {
  const password = 'sim-password'
  const sim = await startOnvifSim({ password, manufacturer: 'ParklinkSim', model: 'PL-IPC-2MP' })
  let firstAt: number | null = null
  let inside = false
  const tick = () => {
    // The first once the edge has subscribed (it checks every 5 s in the demo).
    if (firstAt === null && sim.subscriptions() === 0) return
    firstAt ??= Date.now()
    const now = intruderInside(schedule, Date.now() - firstAt)
    if (now === inside) return
    inside = now
    if (now) sim.raise()
    else sim.raise({ item: { name: 'IsInside', value: 'false' } })
  }
  const timer = setInterval(tick, 1_000)
  return {
    address: { host: sim.host, port: sim.port },
    password,
    everyS: schedule.everyS,
    async stop() {
      clearInterval(timer)
      await sim.close()
    },
  }
}
