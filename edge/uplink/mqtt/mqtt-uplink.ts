import { systemClock } from '../../../shared/clock.ts'
import { startUplink, type Uplink, type UplinkOptions } from '../uplink.ts'
import { createMqttTransport } from './connection.ts'

/** How the edge reaches the park's Mosquitto with mqtt.js (edge config `uplink`). */
export interface MqttLinkOptions {
  url: string
  /** More brokers, tried in turn when the current one is down (uplink.failover; connection.ts). */
  failover?: readonly string[]
  clientId: string
  username?: string
  password?: string
  /** CA, client certificate and key (PEM) for mqtts:// to the park's PKI. */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer }
  reconnectMinMs: number
  reconnectMaxMs: number
  keepaliveS?: number
  /** Jitter source for the reconnect backoff (tests make it deterministic). */
  random?: () => number
}

export type MqttUplinkOptions = UplinkOptions & MqttLinkOptions
export type { Uplink, UplinkState } from '../uplink.ts'

/**
 * The uplink (../uplink.ts) over mqtt.js. Session: clean=true, MQTT 3.1.1 (aedes, the embedded
 * demo broker, does not speak 5), a 10 s connect timeout.
 */
export function startMqttUplink(options: MqttUplinkOptions): Uplink {
  const transport = createMqttTransport({
    url: options.url,
    ...(options.failover === undefined ? {} : { failover: options.failover }),
    mqtt: {
      clientId: options.clientId,
      protocolVersion: 4,
      clean: true,
      connectTimeout: 10_000,
      keepalive: options.keepaliveS ?? 30,
      ...(options.username === undefined ? {} : { username: options.username }),
      ...(options.password === undefined ? {} : { password: options.password }),
      ...(options.tls ?? {}),
    },
    reconnectMinMs: options.reconnectMinMs,
    reconnectMaxMs: options.reconnectMaxMs,
    clock: options.clock ?? systemClock,
    log: options.log,
    ...(options.random === undefined ? {} : { random: options.random }),
  })
  return startUplink(options, transport)
}
