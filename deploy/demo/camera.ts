import { startOnvifSim } from '../../test/sim/onvif-sim.ts'

/**
 * The demo's camera: a simulated ONVIF camera on the pipe gallery that sees an intruder every
 * `everyS` seconds (the first soon after start) for 10 s, so an RYRQ alarm with its snapshot
 * is in the API within a minute of `npm start`.
 */
export async function startDemoCamera(everyS = 60) {
  const password = 'sim-password'
  const sim = await startOnvifSim({ password, manufacturer: 'ParklinkSim', model: 'PL-IPC-2MP' })
  const timers = new Set<NodeJS.Timeout>()
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t)
      fn()
    }, ms)
    timers.add(t)
  }
  const intrusion = () => {
    sim.raise()
    later(10_000, () => sim.raise({ item: { name: 'IsInside', value: 'false' } }))
    later(everyS * 1000, intrusion)
  }
  // The first once the edge has subscribed (it checks every 5 s in the demo).
  const first = setInterval(() => {
    if (sim.subscriptions() === 0) return
    clearInterval(first)
    intrusion()
  }, 1_000)
  return {
    address: { host: sim.host, port: sim.port },
    password,
    everyS,
    async stop() {
      clearInterval(first)
      for (const t of timers) clearTimeout(t)
      await sim.close()
    },
  }
}
