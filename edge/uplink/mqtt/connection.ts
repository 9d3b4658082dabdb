import mqtt, { type IClientOptions, type MqttClient } from 'mqtt'
import type { Logger } from 'pino'
import { backoffDelay, type Clock, type TimerHandle } from '../../../shared/clock.ts'
import { errorMessage } from '../../../shared/errors.ts'
import type { LastWill, UplinkLink, UplinkTransport, UplinkTransportEvents } from '../transport.ts'

/**
 * The uplink transport over mqtt.js (edge/uplink/transport.ts): an MQTT connection that is
 * re-established forever, with jittered exponential backoff.
 *
 * mqtt.js's own reconnectPeriod is a fixed delay: after a broker restart every edge of the park
 * would come back in lockstep. So it is 0 here and a timer on the injected clock retries with
 * shared/clock.ts backoffDelay; the attempt counter resets once a CONNACK arrives. Each attempt
 * gets a FRESH client: nothing an old client queued is replayed behind the caller's back (the
 * outbox is the memory, see uplink.ts), and events of an old client are ignored.
 *
 * Failover (issue 16): with `failover` URLs, every attempt after a close (a lost connection or
 * a failed attempt) goes to the next URL of [url, ...failover], round robin, so an edge whose
 * broker dies reconnects to the next one and births there. mqtt.js's own `servers` option is
 * not used: it keeps the first host's TLS servername for every server (a certificate for
 * another node would not verify) and drops what the URL says beyond host, port and protocol.
 */
export interface MqttTransportOptions {
  url: string
  /** More broker URLs, tried in turn after `url` (default none). */
  failover?: readonly string[]
  /** clientId, credentials, TLS, keepalive …; reconnectPeriod is forced to 0, the will comes from connect(). */
  mqtt: IClientOptions & { clientId: string }
  reconnectMinMs: number
  reconnectMaxMs: number
  clock: Clock
  log: Logger
  random?: () => number
}

export function createMqttTransport(options: MqttTransportOptions): UplinkTransport {
  const { clock, log } = options
  let client: MqttClient | null = null
  let link: UplinkLink | null = null
  let connected = false
  let attempt = 0
  let timer: TimerHandle | null = null
  let stopped = false
  let will: LastWill | null = null
  let events: UplinkTransportEvents | null = null
  const urls = [options.url, ...(options.failover ?? [])]
  let at = 0

  const connect = () => {
    timer = null
    if (stopped || will === null || events === null) return
    const on = events
    const payload = typeof will.payload === 'function' ? will.payload() : will.payload
    const c = mqtt.connect(urls[at]!, { ...options.mqtt, will: { ...will, payload }, reconnectPeriod: 0 })
    const l = linkOf(c)
    client = c
    link = l
    connected = false
    c.on('connect', () => {
      if (c !== client) return
      connected = true
      attempt = 0
      on.onConnect(l)
    })
    c.on('message', (name, payload, packet) => c === client && on.onMessage(l, name, payload, packet.retain === true))
    c.on('error', (err) => c === client && on.onError(errorMessage(err)))
    c.on('close', () => c === client && closed(c, l))
  }

  const closed = (c: MqttClient, l: UplinkLink) => {
    const wasConnected = connected
    client = null
    link = null
    connected = false
    c.end(true)
    events?.onClose(l, wasConnected)
    if (stopped) return
    const from = urls[at]!
    at = (at + 1) % urls.length
    const delay = backoffDelay(attempt++, options.reconnectMinMs, options.reconnectMaxMs, options.random)
    if (wasConnected) log.warn({ url: from, next: urls[at], retryInMs: delay }, 'uplink disconnected; reconnecting')
    else log.debug({ url: from, next: urls[at], retryInMs: delay, attempt }, 'uplink reconnect scheduled')
    timer = clock.setTimeout(connect, delay)
  }

  return {
    /** The broker URL in use (or being tried). */
    get endpoint() {
      return urls[at]!
    },
    clientId: options.mqtt.clientId,
    connect(w, e) {
      if (will !== null) throw new Error('the uplink transport is connected already')
      will = w
      events = e
      connect()
    },
    current: () => link,
    reconnect: (l) => {
      if (l === link && client !== null) closed(client, l)
    },
    close() {
      stopped = true
      if (timer !== null) clock.clearTimeout(timer)
      timer = null
      const c = client
      const l = link
      client = null
      link = null
      if (c !== null && connected) return l
      c?.end(true)
      return null
    },
  }
}

/** The link interface over one mqtt.js client (MQTT 3.1.1: a granted QoS of 128 is a refusal). */
function linkOf(c: MqttClient): UplinkLink {
  return {
    publish: (topic, payload, opts, done) =>
      c.publish(topic, payload, { qos: opts.qos, retain: opts.retain ?? false }, (err) => done?.(err)),
    subscribe: (filter, qos, done) =>
      c.subscribe({ [filter]: { qos } }, (err, granted) => {
        if (err) done({ refused: false, error: errorMessage(err) })
        else done(granted?.some((g) => g.qos === 128) ? { refused: true } : null)
      }),
    disconnect: (done) => c.end(false, {}, () => done()),
    destroy: () => c.end(true),
  }
}
