import mqtt, { type MqttClient } from 'mqtt'
import type { TlsMaterial } from '../../../shared/tls.ts'
import { errorMessage } from '../../../shared/errors.ts'
import type { IngestTransport, IngestTransportEvents } from '../transport.ts'

export interface MqttIngestLinkOptions {
  url: string
  /** More brokers, tried in turn when the current one is down (mqtt.failover; default none). */
  failover?: readonly string[]
  clientId: string
  username?: string
  password?: string
  /** The broker's CA (and this instance's cert and key) for mqtts:// (shared/tls.ts). */
  tls?: TlsMaterial
  reconnectPeriodMs: number
  keepaliveS: number
}

/**
 * The ingest transport over mqtt.js (cloud/ingest/transport.ts).
 *
 * Session: a FIXED clientId with clean=false (MQTT 3.1.1 §3.1.2.4) gives the cloud a persistent
 * session, so the broker queues QoS 1 messages while the cloud restarts or is briefly away
 * instead of dropping them. The park broker binds the client id to the user name
 * (use_username_as_clientid), so the id is this instance's broker user: stable across restarts,
 * and no other login can take the session over. MQTT 3.1.1 because aedes does not speak 5 and,
 * in 5, clean=false also needs a session expiry. Our own resubscribe on connect
 * (resubscribe: false). PUBACK waits for `done` (handleMessage).
 *
 * One URL: one mqtt.js client that reconnects by itself, forever. With `failover` URLs (issue
 * 16): after every close the next URL of [url, ...failover] is dialled with a fresh client
 * (mqtt.js's `servers` keeps the first host's TLS servername for all of them). The session on
 * the new broker is whatever that broker holds for this client id (a cluster shares it, two
 * separate brokers do not); ingest resubscribes on every connect either way, and correctness
 * never rests on the session: edges resend until acked.
 */
export function createMqttIngestTransport(options: MqttIngestLinkOptions): IngestTransport {
  const urls = [options.url, ...(options.failover ?? [])]
  const rotate = urls.length > 1
  let at = 0
  let client: MqttClient | null = null
  let events: IngestTransportEvents | null = null
  let timer: NodeJS.Timeout | null = null
  let closing = false
  const live = (): MqttClient => {
    if (client === null) throw new Error('the ingest transport is not connected yet')
    return client
  }
  const dial = () => {
    timer = null
    if (closing || events === null) return
    const on = events
    const c = mqtt.connect(urls[at]!, {
      clientId: options.clientId,
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: rotate ? 0 : options.reconnectPeriodMs,
      keepalive: options.keepaliveS,
      connectTimeout: 10_000,
      resubscribe: false,
      ...(options.username === undefined ? {} : { username: options.username }),
      ...(options.password === undefined ? {} : { password: options.password }),
      ...(options.tls ?? {}),
    })
    client = c
    c.handleMessage = (packet, done) =>
      on.onMessage({ topic: packet.topic, payload: Buffer.from(packet.payload), retained: packet.retain }, () => done())
    c.on('connect', (connack) => c === client && on.onConnect({ sessionPresent: connack.sessionPresent }))
    c.on('error', (err) => c === client && on.onError(errorMessage(err)))
    c.on('close', () => {
      if (c !== client) return
      on.onClose()
      if (!rotate || closing) return
      // This client is done: the next URL gets a fresh one after the reconnect period.
      c.end(true)
      at = (at + 1) % urls.length
      timer = setTimeout(dial, options.reconnectPeriodMs)
    })
  }
  return {
    /** The broker URL in use (or being tried). */
    get endpoint() {
      return urls[at]!
    },
    clientId: options.clientId,
    connect(e) {
      if (events !== null) throw new Error('the ingest transport is connected already')
      events = e
      dial()
    },
    publish: (topic, payload, opts, done) => live().publish(topic, payload, opts, (err) => done?.(err)),
    subscribe: (filters, done) =>
      live().subscribe(Object.fromEntries(Object.entries(filters).map(([f, qos]) => [f, { qos }])), (err, granted) =>
        done(
          err ?? null,
          (granted ?? []).map((g) => ({ filter: g.topic, qos: g.qos === 0 || g.qos === 1 ? g.qos : null })),
        ),
      ),
    async close() {
      closing = true
      if (timer !== null) clearTimeout(timer)
      timer = null
      const c = client
      if (c === null) return
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => c.end(true, {}, () => resolve()), 2_000)
        c.end(false, {}, () => {
          clearTimeout(force)
          resolve()
        })
      })
    },
  }
}
