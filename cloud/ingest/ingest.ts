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
import type { IngestTransport } from './transport.ts'
import { plainIngestWire, type IngestWire } from './crypto.ts'
import { createSealRefusalReporter } from './seal-refusals.ts'
import { createRegistryHints } from './registry-hints.ts'
import type { ClaimPolicy } from '../config.ts'
import type { IngestGate } from './gate.ts'
import { edgeTaken } from './taken.ts'

/**
 * A data batch the edge marked `historical` (replayed backlog), told from its JSON text without
 * parsing it: the key can only appear as the top-level field (inside a JSON string a quote is
 * always escaped). Only the queue's order depends on it.
 */
const REPLAYED = Buffer.from('"historical":true')
const isReplayed = (payload: Buffer) => payload.includes(REPLAYED)

/** Ingest's own options; how it reaches the broker is the transport's (e.g. mqtt/mqtt-ingest.ts). */
export interface IngestOptions {
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
  /** Signed (and maybe encrypted) messages, issue 20 (crypto.ts); absent: plain JSON (`crypto.suite: off`). */
  wire?: IngestWire
  /** The config's `registry.claimUnknownPoints`: each edge is told which point ids it must not claim (registry-hints.ts); absent: not told. */
  hintPolicy?: ClaimPolicy
  /** Several replicas (issue 16, cloud/cluster/): the edges this one handles; absent: every edge. */
  gate?: IngestGate
}

export interface Ingest {
  /** Commands to the edges (ping, resend, status) and their answers. */
  commands: CommandChannel
  /** The registry changed (a point or edge moved): every online edge gets its new registry hint. */
  registryChanged(): void
  /** Stops taking messages, lets the one being handled finish, disconnects. Idempotent. */
  stop(): Promise<void>
}

/**
 * Subscribes to every edge's data and status (QoS 1) and handles one message at a time.
 *
 * Session: persistent (transport.ts; for MQTT mqtt/mqtt-transport.ts), so the broker queues
 * QoS 1 messages while the cloud restarts or is briefly away instead of dropping them.
 * Correctness does not depend on it (the edge resends from its outbox until the cloud acks, and
 * a broker may lose its queue), it only avoids the resend delay. Two cloud instances need two
 * broker users (shared/wire/acl.ts).
 *
 * Order and backpressure: messages go through the inbox (inbox.ts), handled one at a time, live
 * data ahead of replayed backlog; a few dozen are taken off the broker before they are handled
 * (so a live batch can overtake), beyond that PUBACK waits until the message is handled.
 * The broker unavailable at start or later is not an error: the transport reconnects forever.
 */
export function startIngest(options: IngestOptions, transport: IngestTransport): Ingest {
  const { log, metrics } = options
  const wire = options.wire ?? plainIngestWire
  metrics.crypto.suite = wire.suite
  const sealRefused = createSealRefusalReporter({ store: options.store, clock: options.clock, log, metrics })
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
    refusals: createRefusalReporter({
      store: options.store,
      clock: options.clock,
      log: log.child({ component: 'ownership' }),
      metrics,
    }),
    snapshots,
    // An encrypting edge learns the cloud's key from the ack that answers its birth.
    ...(wire.suite === 'off' ? {} : { ackEveryBirth: true }),
    publish(topic, payload) {
      transport.publish(topic, wire.seal(topic, payload), { qos: 1, retain: true }, (err) => {
        if (err)
          log.warn(
            { topic, err: errorMessage(err) },
            'ack not delivered to the broker; the next batch or resend acks again',
          )
      })
    },
  }

  const commands = createCommandChannel({
    publish(topic, payload) {
      transport.publish(topic, wire.seal(topic, payload), { qos: 1, retain: false }, (err) => {
        if (err) log.warn({ topic, err: errorMessage(err) }, 'command not delivered to the broker')
      })
    },
    store: options.store,
    clock: options.clock,
    log: log.child({ component: 'commands' }),
    snapshots,
    ownership: ctx.ownership,
    refusals: ctx.refusals,
    ...(options.gate ? { onlyOwnAnswers: true } : {}),
  })
  const hints = options.hintPolicy
    ? createRegistryHints({
        store: options.store,
        commands,
        policy: options.hintPolicy,
        log: log.child({ component: 'registry-hints' }),
      })
    : null
  if (hints) ctx.born = hints.born
  // Each edge's site, as its data topics name it (a command goes to parklink/v1/{site}/{edge}/cmd).
  const sites = new Map<string, string>()
  const gate = options.gate
  gate?.onAcquired(edgeTaken(ctx, commands, (edge) => sites.get(edge)))
  const resend = options.resend ?? { afterMs: 10_000, retryMs: 30_000, checkMs: 2_000 }
  const holes = new HoleWatch(resend)
  const holeJob = startPeriodic(
    options.clock,
    resend.checkMs,
    async () => {
      if (!metrics.mqtt.connected) return
      const tracker = options.tracker
      const due = holes.check(
        options.clock.now(),
        tracker.edges().map((edge) => ({ edge, through: tracker.through(edge), pending: tracker.pending(edge) })),
      )
      for (const r of due) {
        const site = sites.get(r.edge)
        if (site) commands.send(site, r.edge, { type: 'resend', fromSeq: r.fromSeq, toSeq: r.toSeq })
      }
    },
    (err) => log.error({ err }, 'sequence hole check failed'),
  )

  /** `unowned`: taken while the replica could not tell its edges (gate down): handled, fenced by the store. */
  type Queued = InboundMessage & { unowned?: boolean }
  const inbox = createInbox<Queued>(
    (msg) => {
      const address = parseTopic(msg.topic)
      // Lost to another replica while it waited (the lock session went): that one stores it when the edge resends.
      if (gate && address && address.channel !== 'resp' && !msg.unowned && !gate.owns(address.edge))
        return Promise.resolve()
      const work =
        address?.channel === 'resp'
          ? commands.handleResponse(msg)
          : msg.topic.endsWith('/status')
            ? handleStatus(ctx, msg)
            : handleData(ctx, msg)
      return work.then(
        () => undefined,
        (err: unknown) => log.error({ topic: msg.topic, err }, 'message handler failed'),
      )
    },
    { now: () => options.clock.now() },
  )
  let stopping: Promise<void> | null = null
  type Packet = { topic: string; payload: Buffer; retained: boolean }
  const onMessage = (packet: Packet, done: () => void) => {
    // Stopping: leave it unacknowledged, so the broker redelivers it to our session next time.
    if (stopping) return
    const address = gate ? parseTopic(packet.topic) : null
    if (!gate || !address || address.channel === 'resp') return take(packet, done)
    // Several replicas: decided from the topic, before any costly work (cloud/cluster/gate.ts).
    sites.set(address.edge, address.site)
    const admitted = gate.admit(address.edge)
    // Not this replica's: dropped, unless the replica cannot tell (gate.ts down: the store fails it, logged).
    const notOwn = () => (gate.down() && address.channel === 'data' ? take(packet, done, true) : done())
    if (admitted === 'own') return take(packet, done)
    if (admitted === 'foreign') return notOwn()
    void admitted.then((won) => {
      if (!won) notOwn()
      else if (!stopping) take(packet, done)
    })
  }
  const take = (packet: Packet, done: () => void, unowned = false) => {
    // Verified in broker order, before the inbox reorders (crypto.ts); a refusal is acked to the broker and dropped.
    const opened = wire.open(packet.topic, packet.payload, packet.retained)
    if (!opened.ok) {
      sealRefused(packet.topic, opened.edge, opened.reason, opened.error)
      return done()
    }
    const msg: Queued = { ...packet, payload: opened.payload, arrivedAt: options.clock.now(), unowned }
    const address = parseTopic(msg.topic)
    if (address?.channel === 'data') sites.set(address.edge, address.site)
    inbox.push(msg, address?.channel === 'data' && isReplayed(msg.payload) ? 'backlog' : 'live', () => {
      opened.settle()
      done()
    })
  }

  const onConnect = ({ sessionPresent }: { sessionPresent: boolean }) => {
    metrics.mqtt.connects++
    const filters = { [channelFilter('data')]: 1 as const, [channelFilter('status')]: 1 as const }
    // Answers to commands: best effort, so an ACL without the command channel never stops ingest.
    transport.subscribe({ [channelFilter('resp')]: 1 }, (err, granted) => {
      if (err || granted.some((g) => g.qos === null))
        log.warn(
          { filter: channelFilter('resp') },
          'cannot subscribe to command responses; check the broker ACL (topic read parklink/v1/+/+/resp)',
        )
    })
    transport.subscribe(filters, (err, granted) => {
      const refused = granted.filter((g) => g.qos !== 1)
      if (err || refused.length > 0) {
        metrics.mqtt.lastError = err
          ? errorMessage(err)
          : `subscription refused: ${refused.map((g) => g.filter).join(', ')}`
        log.error(
          { err: metrics.mqtt.lastError },
          'cannot subscribe to edge topics; check the broker ACL for this user',
        )
        return
      }
      metrics.mqtt.connected = true
      metrics.mqtt.lastError = null
      log.info(
        { url: transport.endpoint, clientId: transport.clientId, sessionPresent },
        'mqtt connected and subscribed',
      )
    })
  }
  const onClose = () => {
    if (metrics.mqtt.connected && !stopping) log.warn({ url: transport.endpoint }, 'mqtt disconnected; reconnecting')
    metrics.mqtt.connected = false
  }
  const onError = (message: string) => {
    // Once per distinct error, not on every reconnect attempt while the broker stays down.
    if (message !== metrics.mqtt.lastError)
      log.warn({ url: transport.endpoint, err: message }, 'mqtt error; reconnecting')
    else log.debug({ url: transport.endpoint, err: message }, 'mqtt error (repeated)')
    metrics.mqtt.lastError = message
  }
  transport.connect({ onConnect, onMessage, onClose, onError })

  return {
    commands,
    registryChanged: () => hints?.changed(),
    stop() {
      stopping ??= (async () => {
        holeJob.stop()
        commands.close()
        // Let the message being handled finish (and, briefly, the ones waiting) before the caller
        // closes the store; what is left was not acked to its edge, which resends it.
        const left = await inbox.close(2_000)
        if (left > 0) log.info({ left }, 'stopping with messages not handled: their edges resend them (no cloud ack)')
        await transport.close()
        metrics.mqtt.connected = false
        try {
          wire.save()
        } catch (err) {
          log.error(
            { err: errorMessage(err) },
            'crypto state not saved: replays of the last minutes may be taken once after a restart',
          )
        }
      })()
      return stopping
    },
  }
}
