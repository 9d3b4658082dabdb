import mqtt, { type IClientOptions, type MqttClient } from 'mqtt'
import type { Logger } from 'pino'
import { backoffDelay, type Clock, type TimerHandle } from '../../shared/clock.ts'
import { errorMessage } from '../../shared/errors.ts'

/**
 * An MQTT connection that is re-established forever, with jittered exponential backoff.
 *
 * mqtt.js's own reconnectPeriod is a fixed delay: after a broker restart every edge of the park
 * would come back in lockstep. So it is 0 here and a timer on the injected clock retries with
 * shared/clock.ts backoffDelay; the attempt counter resets once a CONNACK arrives. Each attempt
 * gets a FRESH client: nothing an old client queued is replayed behind the caller's back (the
 * outbox is the memory, see mqtt-uplink.ts), and events of an old client are ignored.
 */
export interface ReconnectingClientOptions {
  url: string
  /** clientId, will, credentials, keepalive …; reconnectPeriod is forced to 0. */
  mqtt: IClientOptions
  reconnectMinMs: number
  reconnectMaxMs: number
  clock: Clock
  log: Logger
  random?: () => number
  onConnect: (client: MqttClient) => void
  onMessage: (client: MqttClient, topic: string, payload: Buffer, retained: boolean) => void
  onError: (message: string) => void
  /** The connection (or attempt) is gone; the next attempt is scheduled unless stopped. */
  onClose: (client: MqttClient, wasConnected: boolean) => void
}

export interface ReconnectingClient {
  /** The client of the current connection or attempt; null between attempts and after stop. */
  current(): MqttClient | null
  /** Gives up on this connection (e.g. a refused subscription) and retries after the backoff. */
  restart(client: MqttClient): void
  /** Stops retrying; hands back the current client, if any, for a goodbye before end(). */
  stop(): MqttClient | null
}

export function keepConnected(options: ReconnectingClientOptions): ReconnectingClient {
  const { clock, log } = options
  let client: MqttClient | null = null
  let connected = false
  let attempt = 0
  let timer: TimerHandle | null = null
  let stopped = false

  const connect = () => {
    timer = null
    if (stopped) return
    const c = mqtt.connect(options.url, { ...options.mqtt, reconnectPeriod: 0 })
    client = c
    connected = false
    c.on('connect', () => {
      if (c !== client) return
      connected = true
      attempt = 0
      options.onConnect(c)
    })
    c.on('message', (name, payload, packet) => c === client && options.onMessage(c, name, payload, packet.retain === true))
    c.on('error', (err) => c === client && options.onError(errorMessage(err)))
    c.on('close', () => c === client && closed(c))
  }

  const closed = (c: MqttClient) => {
    const wasConnected = connected
    client = null
    connected = false
    c.end(true)
    options.onClose(c, wasConnected)
    if (stopped) return
    const delay = backoffDelay(attempt++, options.reconnectMinMs, options.reconnectMaxMs, options.random)
    if (wasConnected) log.warn({ url: options.url, retryInMs: delay }, 'uplink disconnected; reconnecting')
    else log.debug({ url: options.url, retryInMs: delay, attempt }, 'uplink reconnect scheduled')
    timer = clock.setTimeout(connect, delay)
  }

  connect()
  return {
    current: () => client,
    restart: (c) => {
      if (c === client) closed(c)
    },
    stop() {
      stopped = true
      if (timer !== null) clock.clearTimeout(timer)
      timer = null
      const c = client
      client = null
      return c !== null && connected ? c : (c?.end(true), null)
    },
  }
}
