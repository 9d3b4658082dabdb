import mqtt, { type MqttClient } from 'mqtt'
import type { Logger } from 'pino'
import type { Clock } from '../../shared/clock.ts'
import { errorMessage } from '../../shared/errors.ts'
import { channelFilter, parseTopic } from '../../shared/wire/topics.ts'
import { startPeriodic } from '../../shared/periodic.ts'
import { createCommandChannel, type CommandChannel } from './commands.ts'
import { HoleWatch } from './holes.ts'
import type { CloudMetrics } from '../metrics.ts'
import type { Store } from '../store/store.ts'
import type { AckTracker } from './ack-tracker.ts'
import type { InboundMessage, IngestContext } from './context.ts'
import type { Ownership } from './ownership.ts'
import { createRefusalReporter } from './refusals.ts'
import { createSnapshotRequests } from './snapshot-requests.ts'
import { handleData } from './handle-data.ts'
import { handleStatus } from './handle-status.ts'
import { createInbox } from './inbox.ts'
import { createClockOffsets } from '../../shared/clock-offset.ts'
import type { CloudTimeConfig } from './time-check.ts'
import type { TlsMaterial } from '../../shared/tls.ts'

/**
 * A data batch the edge marked `historical` (replayed backlog), told from its JSON text without
 * parsing it: the key can only appear as the top-level field (inside a JSON string a quote is
 * always escaped). Only the queue's order depends on it.
 */
const REPLAYED = Buffer.from('"historical":true')
const isReplayed = (payload: Buffer) => payload.includes(REPLAYED)

export interface IngestOptions {
  url: string
  clientId: string
  username?: string
  password?: string
  /** The broker's CA (and this instance's cert and key) for mqtts:// (shared/tls.ts). */
  tls?: TlsMaterial
  reconnectPeriodMs: number
  keepaliveS: number
  store: Store
  tracker: AckTracker
  clock: Clock
  metrics: CloudMetrics
  log: Logger
  /** Who may send what (issue 13); shared with the registry API, which invalidates it. */
  ownership: Ownership
  /**
   * Sequence holes: one that persists `afterMs` is asked from the edge (a resend command),
   * again every `retryMs`; checked every `checkMs`. Defaults 10 s, 30 s, 2 s.
   */
  resend?: { afterMs: number; retryMs: number; checkMs: number }
  /** Time checks and the clock-offset alarm's threshold (cloud/ingest/time-check.ts); absent: defaults. */
  time?: CloudTimeConfig
}

export interface Ingest {
  /** Commands to the edges (ping, resend, status) and their answers. */
  commands: CommandChannel
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
 * The park broker binds the client id to the user name (use_username_as_clientid), so the id is
 * this instance's broker user: stable across restarts, and no other login can take the session
 * over. Two cloud instances therefore need two broker users (shared/wire/acl.ts).
 * MQTT 3.1.1 because aedes does not speak 5 and, in 5, clean=false also needs a session expiry.
 *
 * Order and backpressure: messages go through the inbox (inbox.ts), handled one at a time, live
 * data ahead of replayed backlog; a few dozen are taken off the broker before they are handled
 * (so a live batch can overtake), beyond that PUBACK waits until the message is handled.
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
    ...(options.tls ?? {}),
  })
  const snapshots = createSnapshotRequests(options.clock)
  const ctx: IngestContext = {
    store: options.store,
    tracker: options.tracker,
    clock: options.clock,
    metrics,
    log,
    ...(options.time ? { time: options.time } : {}),
    clocks: createClockOffsets(),
    ownership: options.ownership,
    refusals: createRefusalReporter({ store: options.store, clock: options.clock, log: log.child({ component: 'ownership' }), metrics }),
    snapshots,
    publish(topic, payload) {
      client.publish(topic, payload, { qos: 1, retain: true }, (err) => {
        if (err) log.warn({ topic, err: errorMessage(err) }, 'ack not delivered to the broker; the next batch or resend acks again')
      })
    },
  }

  const commands = createCommandChannel({
    publish(topic, payload) {
      client.publish(topic, payload, { qos: 1, retain: false }, (err) => {
        if (err) log.warn({ topic, err: errorMessage(err) }, 'command not delivered to the broker')
      })
    },
    store: options.store,
    clock: options.clock,
    log: log.child({ component: 'commands' }),
    snapshots,
    ownership: ctx.ownership,
    refusals: ctx.refusals,
  })
  // Each edge's site, as its data topics name it (a command goes to parklink/v1/{site}/{edge}/cmd).
  const sites = new Map<string, string>()
  const resend = options.resend ?? { afterMs: 10_000, retryMs: 30_000, checkMs: 2_000 }
  const holes = new HoleWatch(resend)
  const holeJob = startPeriodic(options.clock, resend.checkMs, async () => {
    if (!metrics.mqtt.connected) return
    const tracker = options.tracker
    const due = holes.check(options.clock.now(), tracker.edges().map((edge) => ({ edge, through: tracker.through(edge), pending: tracker.pending(edge) })))
    for (const r of due) {
      const site = sites.get(r.edge)
      if (site) commands.send(site, r.edge, { type: 'resend', fromSeq: r.fromSeq, toSeq: r.toSeq })
    }
  }, (err) => log.error({ err }, 'sequence hole check failed'))

  const inbox = createInbox<InboundMessage>((msg) => {
    const address = parseTopic(msg.topic)
    const work = address?.channel === 'resp' ? commands.handleResponse(msg) : msg.topic.endsWith('/status') ? handleStatus(ctx, msg) : handleData(ctx, msg)
    return work.then(() => undefined, (err: unknown) => log.error({ topic: msg.topic, err }, 'message handler failed'))
  }, { now: () => options.clock.now() })
  let stopping: Promise<void> | null = null
  client.handleMessage = (packet, done) => {
    // Stopping: leave it un-PUBACKed, so the broker redelivers it to our session next time.
    if (stopping) return
    const msg: InboundMessage = { topic: packet.topic, payload: Buffer.from(packet.payload), retained: packet.retain, arrivedAt: options.clock.now() }
    const address = parseTopic(msg.topic)
    if (address?.channel === 'data') sites.set(address.edge, address.site)
    inbox.push(msg, address?.channel === 'data' && isReplayed(msg.payload) ? 'backlog' : 'live', done)
  }

  client.on('connect', (connack) => {
    metrics.mqtt.connects++
    const filters = { [channelFilter('data')]: { qos: 1 as const }, [channelFilter('status')]: { qos: 1 as const } }
    // Answers to commands: best effort, so an ACL without the command channel never stops ingest.
    client.subscribe({ [channelFilter('resp')]: { qos: 1 } }, (err, granted) => {
      if (err || granted?.some((g) => g.qos === 128)) log.warn({ filter: channelFilter('resp') }, 'cannot subscribe to command responses; check the broker ACL (topic read parklink/v1/+/+/resp)')
    })
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
    commands,
    stop() {
      stopping ??= (async () => {
        holeJob.stop()
        commands.close()
        // Let the message being handled finish (and, briefly, the ones waiting) before the caller
        // closes the store; what is left was not acked to its edge, which resends it.
        const left = await inbox.close(2_000)
        if (left > 0) log.info({ left }, 'stopping with messages not handled: their edges resend them (no cloud ack)')
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
