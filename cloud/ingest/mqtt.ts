import mqtt, { type MqttClient } from 'mqtt'
import type { Logger } from 'pino'
import type { Clock } from '../../shared/clock.ts'
import { errorMessage } from '../../shared/errors.ts'
import { channelFilter } from '../../shared/wire/topics.ts'
import type { CloudMetrics } from '../metrics.ts'
import type { Store } from '../store/store.ts'
import type { AckTracker } from './ack-tracker.ts'
import type { InboundMessage, IngestContext } from './context.ts'
import { handleData } from './handle-data.ts'
import { handleStatus } from './handle-status.ts'

export interface IngestOptions {
  url: string
  clientId: string
  username?: string
  password?: string
  reconnectPeriodMs: number
  keepaliveS: number
  store: Store
  tracker: AckTracker
  clock: Clock
  metrics: CloudMetrics
  log: Logger
}

export interface Ingest {
  /** A request to an edge (QoS 1, not retained: a stale request must not fire later); false while MQTT is down. */
  command(topic: string, payload: Buffer): boolean
  /** Stops taking messages, lets the one being handled finish, disconnects. Idempotent. */
  stop(): Promise<void>
}

/**
 * Subscribes to every edge's data and status (QoS 1) and handles one message at a time.
 *
 * Session: a FIXED clientId with clean=false (MQTT 3.1.1 §3.1.2.4) gives the cloud a persistent
 * session, so the broker queues QoS 1 messages while the cloud restarts or is briefly away
 * instead of dropping them. Correctness does not depend on it (the edge resends from its outbox
 * until the cloud acks, and a broker may lose its queue), it only avoids the resend delay.
 * Consequence: two cloud instances must not share a clientId (they would take over each other).
 * MQTT 3.1.1 because aedes does not speak 5 and, in 5, clean=false also needs a session expiry.
 *
 * Backpressure: messages are handled in `handleMessage`, which mqtt.js calls one at a time and
 * PUBACKs only when it returns, so a message is acknowledged to the broker after it was stored.
 * The broker unavailable at start or later is not an error: mqtt.js reconnects forever.
 */
export function startIngest(options: IngestOptions): Ingest {
  const { log, metrics } = options
  const client: MqttClient = mqtt.connect(options.url, {
    clientId: options.clientId,
    clean: false,
    protocolVersion: 4,
    reconnectPeriod: options.reconnectPeriodMs,
    keepalive: options.keepaliveS,
    connectTimeout: 10_000,
    resubscribe: false,
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
  })
  const ctx: IngestContext = {
    store: options.store,
    tracker: options.tracker,
    clock: options.clock,
    metrics,
    log,
    publish(topic, payload) {
      client.publish(topic, payload, { qos: 1, retain: true }, (err) => {
        if (err) log.warn({ topic, err: errorMessage(err) }, 'ack not delivered to the broker; the next batch or resend acks again')
      })
    },
  }

  let inflight: Promise<unknown> = Promise.resolve()
  let stopping: Promise<void> | null = null
  client.handleMessage = (packet, done) => {
    // Stopping: leave it un-PUBACKed, so the broker redelivers it to our session next time.
    if (stopping) return
    const msg: InboundMessage = { topic: packet.topic, payload: Buffer.from(packet.payload), retained: packet.retain }
    const work = msg.topic.endsWith('/status') ? handleStatus(ctx, msg) : handleData(ctx, msg)
    inflight = work
      .catch((err: unknown) => log.error({ topic: msg.topic, err }, 'message handler failed'))
      .finally(() => done())
  }

  client.on('connect', (connack) => {
    metrics.mqtt.connects++
    const filters = { [channelFilter('data')]: { qos: 1 as const }, [channelFilter('status')]: { qos: 1 as const } }
    client.subscribe(filters, (err, granted) => {
      const refused = granted?.filter((g) => g.qos !== 1) ?? []
      if (err || refused.length > 0) {
        metrics.mqtt.lastError = err ? errorMessage(err) : `subscription refused: ${refused.map((g) => g.topic).join(', ')}`
        log.error({ err: metrics.mqtt.lastError }, 'cannot subscribe to edge topics; check the broker ACL for this user')
        return
      }
      metrics.mqtt.connected = true
      metrics.mqtt.lastError = null
      log.info({ url: options.url, clientId: options.clientId, sessionPresent: connack.sessionPresent }, 'mqtt connected and subscribed')
    })
  })
  client.on('close', () => {
    if (metrics.mqtt.connected && !stopping) log.warn({ url: options.url }, 'mqtt disconnected; reconnecting')
    metrics.mqtt.connected = false
  })
  client.on('error', (err) => {
    const message = errorMessage(err)
    // Once per distinct error, not on every reconnect attempt while the broker stays down.
    if (message !== metrics.mqtt.lastError) log.warn({ url: options.url, err: message }, 'mqtt error; reconnecting')
    else log.debug({ url: options.url, err: message }, 'mqtt error (repeated)')
    metrics.mqtt.lastError = message
  })

  return {
    command(topic, payload) {
      if (!metrics.mqtt.connected || stopping) return false
      client.publish(topic, payload, { qos: 1, retain: false }, (err) => {
        if (err) log.warn({ topic, err: errorMessage(err) }, 'request to an edge not delivered to the broker')
      })
      return true
    },
    stop() {
      stopping ??= (async () => {
        // Let the message being handled finish before the caller closes the store.
        await inflight
        await new Promise<void>((resolve) => {
          const force = setTimeout(() => client.end(true, {}, () => resolve()), 2_000)
          client.end(false, {}, () => {
            clearTimeout(force)
            resolve()
          })
        })
        metrics.mqtt.connected = false
      })()
      return stopping
    },
  }
}
