import type { TcpProxy } from '../util/tcp-proxy.ts'
import { waitFor } from '../util/wait.ts'

export interface BlackholeTargets {
  /** Between the edge and mosquitto. */
  proxy: TcpProxy
  /** The edge's MQTT keepalive, for the report. */
  edgeKeepaliveS: number
  say(line: string): void
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * How long a blackhole is held past its drawn length for the edge to notice it. The edge gives
 * up on a silent link through its own timers: 1.5 × keepalive without a packet on an open
 * connection (mqtt.js KeepaliveManager), 10 s without a CONNACK on a new one (connectTimeout,
 * edge/uplink/mqtt/mqtt-uplink.ts). A blackhole that begins while the edge is still starting or
 * reconnecting (just after 'kill -9 edge') is met by the second, counted from a connect that a
 * loaded machine may make seconds into it; this bound covers both many times over.
 */
export const BLACKHOLE_NOTICE_BOUND_MS = 60_000

/**
 * The edge's link goes silent (tcp-proxy.ts 'blackhole') for `ms`, and stays silent until the
 * edge has closed a connection by itself: the point is that it notices, not how fast its timers
 * run on a loaded machine, so the heal waits for that condition (bounded) and a blackhole the
 * edge never notices is the problem. A seed still draws the same `ms`.
 */
export async function blackhole(
  t: BlackholeTargets,
  ms: number,
  tally: { blackholesNoticed: number; problems: string[] },
  boundMs = BLACKHOLE_NOTICE_BOUND_MS,
): Promise<void> {
  const before = t.proxy.stats()
  const started = Date.now()
  t.proxy.setMode('blackhole')
  await sleep(ms)
  const noticed = () => t.proxy.stats().closedByClientInBlackhole > before.closedByClientInBlackhole
  const late = !noticed()
  const held = late
    ? await waitFor(noticed, { timeoutMs: boundMs, intervalMs: 100 }).then(
        () => true,
        () => false,
      )
    : true
  t.proxy.setMode('pass')
  if (!held) {
    tally.problems.push(
      `the edge did not notice a blackhole by itself in ${Math.round((Date.now() - started) / 1000)} s (keepalive ${t.edgeKeepaliveS} s)`,
    )
    return
  }
  tally.blackholesNoticed++
  if (late)
    t.say(
      `  the edge noticed the blackhole after ${((Date.now() - started) / 1000).toFixed(1)} s, past its drawn ${Math.round(ms)} ms (held until it did${before.open === 0 ? '; the edge had no connection when it began' : ''})`,
    )
}
