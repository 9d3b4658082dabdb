import mqtt, { type MqttClient } from 'mqtt'
import type { TlsMaterial } from '../../../shared/tls.ts'
import { errorMessage } from '../../../shared/errors.ts'
import type { IngestTransport } from '../transport.ts'

export interface MqttIngestLinkOptions {
  url: string
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
 * in 5, clean=false also needs a session expiry. mqtt.js reconnects forever; our own
 * resubscribe on connect (resubscribe: false). PUBACK waits for `done` (handleMessage).
 */
export function createMqttIngestTransport(options: MqttIngestLinkOptions): IngestTransport {
  let client: MqttClient | null = null
  const live = (): MqttClient => {
    if (client === null) throw new Error('the ingest transport is not connected yet')
    return client
  }
  return {
    endpoint: options.url,
    clientId: options.clientId,
    connect(events) {
      if (client !== null) throw new Error('the ingest transport is connected already')
      const c = mqtt.connect(options.url, {
        clientId: options.clientId,
        clean: false,
        protocolVersion: 4,
        reconnectPeriod: options.reconnectPeriodMs,
        keepalive: options.keepaliveS,
        connectTimeout: 10_000,
        resubscribe: false,
        ...(options.username === undefined ? {} : { username: options.username }),
        ...(options.password === undefined ? {} : { password: options.password }),
        ...(options.tls ?? {}),
      })
      client = c
      c.handleMessage = (packet, done) =>
        events.onMessage({ topic: packet.topic, payload: Buffer.from(packet.payload), retained: packet.retain }, () =>
          done(),
        )
      c.on('connect', (connack) => events.onConnect({ sessionPresent: connack.sessionPresent }))
      c.on('close', () => events.onClose())
      c.on('error', (err) => events.onError(errorMessage(err)))
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
