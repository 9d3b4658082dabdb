import type { Logger } from 'pino'
import { systemClock, type Clock, type TimerHandle } from '../../shared/clock.ts'
import { errorMessage } from '../../shared/errors.ts'
import { decodeAck, decodeCommand, decodeStatus, encode } from '../../shared/wire/codec.ts'
import { createClockOffsets } from '../../shared/clock-offset.ts'
import type { SnapshotRequest } from '../../shared/wire/camera.ts'
import type { Command, CommandResponse } from '../../shared/wire/command.ts'
import type { Sample } from '../../shared/wire/sample.ts'
import {
  WIRE_VERSION,
  type DataBatch,
  type DriverReport,
  type LiveEndpoint,
  type PointInfo,
  type Status,
} from '../../shared/wire/messages.ts'
import { topic } from '../../shared/wire/topics.ts'
import type { Outbox, OutboxBatch } from '../outbox/outbox.ts'
import type { UplinkLink, UplinkTransport } from './transport.ts'
import { answerCommand } from './commands.ts'
import type { RegistryHint } from '../../shared/wire/registry-hint.ts'
import { nextBatches, SendWindow, type StoredRanges } from './forward.ts'
import * as status from './status.ts'
import { plainWire, type UplinkWire } from './wire.ts'
import type { SealRefusal } from '../../shared/crypto/sealer.ts'

/** Ack timeouts in a row (no progress at all) after which the connection is replaced. */
const RECONNECT_AFTER_TIMEOUTS = 3

/** The uplink's own options; how it reaches the broker is the transport's (e.g. mqtt/mqtt-uplink.ts). */
export interface UplinkOptions {
  site: string
  edge: string
  /** This run of the agent; named in every message so a late death of an old run is told apart. */
  session: string
  configHash: string
  /** The point list for the birth message, asked at every connect (drivers may learn metadata, e.g. OPC UA limits, after connecting). */
  points: readonly PointInfo[] | (() => readonly PointInfo[])
  drivers: () => DriverReport[]
  /** Where the monitoring center opens this edge's live view (`live.publicUrl`), said in the birth. */
  live?: LiveEndpoint
  outbox: Outbox
  maxInflight: number
  /** Backlog batches in flight during a drain (forward.ts; default half of maxInflight, at most 8). */
  replayInflight?: number
  ackTimeoutMs: number
  heartbeatMs: number
  /** A batch written longer ago than this is sent marked `historical` (backlog replay); default 60 s. */
  historicalAfterMs?: number
  clock?: Clock
  log: Logger
  /** The park's `snapshot` commands (pictures for an alarm): absent on an edge without cameras. */
  onSnapshotRequest?: (request: SnapshotRequest) => void
  /** The park's `read` commands (one point now): the poller's readNow. */
  readPoint?: (point: string) => Promise<Sample>
  /** Signed (and maybe encrypted) messages, issue 20 (wire.ts); absent: plain JSON (`crypto.suite: off`). */
  wire?: UplinkWire
  /** The park's `config.push` commands (edge/park/): answered later through `respond`, by the agent that runs afterwards. */
  onConfigPush?: (command: Command) => void
  /** The registry's ownership hint (issue 19), kept for the console's checks (edge/registry-hint.ts). */
  onRegistryHint?: (hint: RegistryHint) => void
}

export interface UplinkState {
  /** Connected, subscribed to acks and birth sent: data flows. */
  connected: boolean
  lastAckAt: number | null
  /** This edge's clock minus the cloud's (ms), from the `ts` of fresh acks (shared/clock-offset.ts); null until one came. */
  clockOffsetMs: number | null
  ackedThrough: number
  /** Batches published and not yet acked by the cloud. */
  inflight: number
  /** Batches written before this connection still to drain (0 when live only). */
  backlog: number
  lastError: string | null
  /** The application-layer suite and the cloud messages refused by it (issue 20), by reason. */
  crypto?: { suite: string; refused: Record<SealRefusal, number> }
  /** Data batches published since start (resends included) and batches the cloud's mark passed (issue 16, /metrics). */
  batches?: { sent: number; acked: number }
}

export interface Uplink {
  /** New batches are in the outbox: send them now if the window allows. */
  kick(): void
  state(): UplinkState
  /** Publishes a death with ts (retained), disconnects cleanly. Idempotent. */
  stop(): Promise<void>
  /** Publishes a command response now, or at the next connect when not connected (a config push answered after a restart). */
  respond(response: CommandResponse): void
}

/**
 * Forwards the outbox to the cloud over the transport (transport.ts: MQTT, whichever client)
 * and deletes what the cloud acks.
 *
 * Session: clean, a fresh link per connection and our own resubscribe on connect. The
 * outbox, not the broker, is the memory: every connect rewinds to the cloud's last ack and
 * resends, so a persistent session would only make the broker replay the same batches a second
 * time, and hold a queue per edge while the edge is away. The cloud's ack is retained, so the
 * mark is learnt at subscribe time without a stored session.
 *
 * Reconnecting forever with jittered backoff is the transport's (mqtt/connection.ts).
 */
export function startUplink(options: UplinkOptions, transport: UplinkTransport): Uplink {
  const { outbox, log } = options
  const wire = options.wire ?? plainWire
  const clock = options.clock ?? systemClock
  const id: status.Identity = { site: options.site, edge: options.edge, session: options.session }
  const topics = {
    data: topic(id.site, id.edge, 'data'),
    status: topic(id.site, id.edge, 'status'),
    ack: topic(id.site, id.edge, 'ack'),
    cmd: topic(id.site, id.edge, 'cmd'),
    resp: topic(id.site, id.edge, 'resp'),
  }
  const window = new SendWindow(outbox.stats().ackedThrough, {
    maxInflight: options.maxInflight,
    ackTimeoutMs: options.ackTimeoutMs,
    ...(options.replayInflight === undefined ? {} : { replayInflight: options.replayInflight }),
  })
  const timers: Record<'heartbeat' | 'ack', TimerHandle | null> = { heartbeat: null, ack: null }
  let ready = false
  let lastAckAt: number | null = null
  let clockOffsetMs: number | null = null
  const cloudClock = createClockOffsets()
  let lastError: string | null = null
  let refusedAck: number | null = null
  let stopping: Promise<void> | null = null
  const held: CommandResponse[] = []
  const counted = { sent: 0, acked: 0 }

  const clearTimer = (name: keyof typeof timers) => {
    if (timers[name] !== null) clock.clearTimeout(timers[name])
    timers[name] = null
  }
  const noteError = (message: string, level: 'warn' | 'error' = 'warn') => {
    // Once per distinct error, not on every reconnect attempt while the broker stays down.
    if (message !== lastError) log[level]({ url: transport.endpoint, err: message }, 'uplink problem')
    else log.debug({ url: transport.endpoint, err: message }, 'uplink problem (repeated)')
    lastError = message
  }
  const publishStatus = (c: UplinkLink, message: Status, done?: (err?: Error) => void) => {
    const payload = wire.seal(topics.status, encode(message), 'status')
    if (payload === null) return done?.()
    c.publish(topics.status, payload, { qos: 1, retain: true }, (err) => {
      if (err) log.debug({ kind: message.kind, err: errorMessage(err) }, 'status not delivered to the broker')
      done?.(err)
    })
  }
  const publishBirth = (c: UplinkLink) =>
    publishStatus(
      c,
      status.birth(
        id,
        clock.now(),
        options.configHash,
        typeof options.points === 'function' ? options.points() : options.points,
        outbox.stats(),
        options.live,
      ),
    )

  function onConnect(c: UplinkLink): void {
    // What waited in the outbox through the outage is backlog: it drains behind live data.
    window.connected(outbox.stats().lastSeq)
    c.subscribe(topics.ack, 1, (failure) => {
      if (c !== transport.current()) return
      if (failure) {
        // Without acks nothing is ever deleted and everything is resent: retry later instead.
        noteError(
          failure.refused
            ? `subscription to ${topics.ack} refused; check the broker ACL for this edge`
            : `subscribe to ${topics.ack} failed: ${failure.error}`,
          'error',
        )
        transport.reconnect(c)
        return
      }
      ready = true
      lastError = null
      log.info(
        {
          url: transport.endpoint,
          clientId: transport.clientId,
          ackedThrough: window.ackedThrough,
          lastSeq: outbox.stats().lastSeq,
        },
        'uplink connected',
      )
      publishBirth(c)
      // Answers that waited for a connection (a config push answered by the agent it started).
      for (const r of held.splice(0)) respond(c, r.result?.type ?? 'config.push', r)
      scheduleHeartbeat(c)
      pump()
    })
    // The cloud's commands (ping, resend a range, status): without them data still flows.
    c.subscribe(topics.cmd, 1, (failure) => {
      if (failure)
        log.warn(
          { topic: topics.cmd },
          'cannot subscribe to commands; check the broker ACL (pattern read parklink/v1/%u/cmd, user {site}/{edge})',
        )
    })
    // Best effort (an ACL may forbid it): lets us see a late will of this session, below.
    c.subscribe(topics.status, 1, (failure) => {
      if (failure) log.debug({ topic: topics.status }, 'cannot watch our own status topic')
    })
  }

  function onMessage(c: UplinkLink, name: string, sealed: Buffer, retained = false): void {
    if (name === topics.status) return void onOwnStatus(c, sealed)
    const wasReady = wire.ready()
    // Verified first (issue 20): a forged or replayed ack or command is counted and ignored.
    const payload = wire.open(name, sealed, retained)
    if (payload === null) return
    // An encrypting edge learnt the cloud's key: the data that waited for it can go.
    if (!wasReady && wire.ready()) pump()
    if (name === topics.ack) {
      const decoded = decodeAck(payload)
      if (!decoded.ok)
        return void log.warn({ topic: name, err: decoded.error, bytes: payload.length }, 'invalid ack ignored')
      if (decoded.value.edge !== id.edge)
        return void log.warn({ topic: name, edge: decoded.value.edge }, 'ack for another edge ignored')
      // Seqs are the outbox's own: an ack for another outbox (a retained one from before this
      // outbox file was created) says nothing about these batches and must delete none of them.
      if (decoded.value.outbox !== outbox.id)
        return void log.info(
          { topic: name, outbox: decoded.value.outbox, ours: outbox.id },
          'ack for another outbox of this edge ignored',
        )
      // The cloud's clock from a fresh ack (a retained one is old news): shown in status and the console.
      if (!retained) clockOffsetMs = -cloudClock.observe('cloud', decoded.value.ts, clock.now())
      onAck(decoded.value.through, decoded.value.stored ?? [])
    } else if (name === topics.cmd) {
      onCommand(c, payload)
    }
  }

  function onOwnStatus(c: UplinkLink, sealed: Buffer): void {
    if (ready && !stopping) {
      // The broker may publish the will of our previous connection (taken over with the same
      // client id) AFTER this connection's birth; it names our session, so say we live again.
      const payload = wire.openOwn(topics.status, sealed)
      const decoded = payload === null ? null : decodeStatus(payload)
      if (
        decoded?.ok &&
        decoded.value.kind === 'death' &&
        decoded.value.session === id.session &&
        decoded.value.ts === undefined
      ) {
        log.warn('a late will of this session was published: announcing birth again')
        publishBirth(c)
      }
    }
  }

  function onCommand(c: UplinkLink, payload: Buffer): void {
    const decoded = decodeCommand(payload)
    if (!decoded.ok)
      return void log.warn({ topic: topics.cmd, err: decoded.error, bytes: payload.length }, 'invalid command ignored')
    if (decoded.value.edge !== id.edge)
      return void log.warn({ topic: topics.cmd, edge: decoded.value.edge }, 'command for another edge ignored')
    if (decoded.value.cmd.type === 'config.push' && options.onConfigPush)
      return void options.onConfigPush(decoded.value)
    const republish = (list: readonly OutboxBatch[]) => {
      const floor = outbox.floor()
      for (const b of list) {
        const payload = wire.seal(topics.data, encode(toMessage(b, floor)), 'data')
        if (payload === null) continue
        c.publish(topics.data, payload, { qos: 1 })
        counted.sent++
      }
    }
    void answerCommand(decoded.value, {
      edge: id.edge,
      session: id.session,
      outbox,
      drivers: options.drivers,
      republish,
      unsent: (seq) => window.unsent(seq),
      now: () => clock.now(),
      ...(options.onSnapshotRequest ? { snapshot: options.onSnapshotRequest } : {}),
      ...(options.readPoint ? { readPoint: options.readPoint } : {}),
      ...(options.onRegistryHint ? { registryHint: options.onRegistryHint } : {}),
    }).then((response) => respond(c, decoded.value.cmd.type, response))
  }

  function respond(c: UplinkLink, cmd: string, response: CommandResponse): void {
    log.info(
      {
        id: response.id,
        cmd,
        ok: response.ok,
        ...(response.result?.type === 'resend'
          ? {
              resent: response.result.resent.length,
              queued: response.result.queued ?? 0,
              gaps: response.result.gaps.length,
            }
          : {}),
      },
      'command answered',
    )
    const payload = wire.seal(topics.resp, encode(response), 'resp')
    if (payload === null)
      return void log.warn({ id: response.id }, 'command response not sent: the cloud key is not known yet')
    c.publish(topics.resp, payload, { qos: 1 }, (err) => {
      if (err) log.debug({ id: response.id, err: errorMessage(err) }, 'command response not delivered to the broker')
    })
  }

  const historicalAfterMs = options.historicalAfterMs ?? 60_000
  const toMessage = (b: OutboxBatch, floor: number): DataBatch => ({
    v: WIRE_VERSION,
    edge: id.edge,
    session: id.session,
    outbox: outbox.id,
    seq: b.seq,
    floor: Math.min(floor, b.seq),
    samples: b.samples,
    ...(b.alarms ? { alarms: b.alarms } : {}),
    ...(b.events ? { events: b.events } : {}),
    ...(b.gaps ? { gaps: b.gaps } : {}),
    ...(clock.now() - b.createdAt > historicalAfterMs ? { historical: true } : {}),
  })

  function onAck(through: number, stored: StoredRanges): void {
    const lastSeq = outbox.stats().lastSeq
    if (through > lastSeq) {
      // Acking seqs this outbox never assigned would mark future batches delivered: refuse.
      if (refusedAck !== through) {
        log.error({ through, lastSeq }, 'the cloud acknowledges seqs this outbox never assigned: ack ignored')
        log.error(
          'hint: the ack names this outbox but seqs it never assigned: is another client publishing as this edge? Check the broker credentials and ACL',
        )
      }
      refusedAck = through
      return
    }
    const now = clock.now()
    const inflight = window.inflight
    // Counted from the lowest seq still held: seqs start at the outbox's creation time, not at 1.
    const from = through > window.ackedThrough ? Math.max(window.ackedThrough, outbox.floor() - 1) : through
    if (window.acked(through, now, stored)) {
      counted.acked += Math.max(0, window.ackedThrough - from)
      try {
        outbox.ackThrough(through)
      } catch (err) {
        // Not deleted now: those batches are resent after a restart and deduplicated by the cloud.
        noteError(`outbox ack failed: ${errorMessage(err)}`, 'error')
      }
    } else if (window.inflight === inflight) return
    lastAckAt = now
    armAckTimer()
    pump()
  }

  let pumping = false
  function pump(): void {
    const c = transport.current()
    if (!ready || stopping || pumping || c === null || !wire.ready()) return
    pumping = true
    try {
      // Live batches first, then the backlog in seq order (forward.ts).
      const batches = nextBatches(window, (after, limit) => outbox.peek(after, limit), clock.now())
      const floor = batches.length > 0 ? outbox.floor() : 0
      for (const b of batches) {
        const payload = wire.seal(topics.data, encode(toMessage(b, floor)), 'data')
        if (payload === null) break
        counted.sent++
        c.publish(topics.data, payload, { qos: 1 }, (err) => {
          if (err)
            log.debug(
              { seq: b.seq, err: errorMessage(err) },
              'batch not delivered to the broker; resent after reconnect',
            )
        })
      }
    } catch (err) {
      noteError(`reading the outbox failed: ${errorMessage(err)}`, 'error')
    } finally {
      pumping = false
    }
    armAckTimer()
  }

  function armAckTimer(): void {
    clearTimer('ack')
    const deadline = window.deadline()
    if (deadline === null || !ready) return
    timers.ack = clock.setTimeout(
      () => {
        timers.ack = null
        const from = window.ackedThrough + 1
        if (window.checkTimeout(clock.now())) {
          const c = transport.current()
          if (window.timeouts >= RECONNECT_AFTER_TIMEOUTS && c !== null) {
            // Resent twice and still nothing: the link may be dead without TCP or the keepalive
            // noticing yet (a silent drop on the way). A new connection resends everything.
            log.warn(
              { from, timeouts: window.timeouts },
              'no ack after resending: reconnecting (the link to the broker may be dead)',
            )
            transport.reconnect(c)
            return
          }
          log.warn(
            { from, ackTimeoutMs: options.ackTimeoutMs },
            'no ack from the cloud in time: resending from the last ack',
          )
          pump()
        } else armAckTimer()
      },
      Math.max(0, deadline - clock.now()),
    )
  }

  function scheduleHeartbeat(c: UplinkLink): void {
    timers.heartbeat = clock.setTimeout(() => {
      timers.heartbeat = null
      if (c !== transport.current() || !ready) return
      let drivers: DriverReport[] = []
      try {
        drivers = options.drivers()
      } catch (err) {
        log.error({ err: errorMessage(err) }, 'driver reports unavailable')
      }
      publishStatus(c, status.state(id, clock.now(), outbox.stats(), drivers))
      scheduleHeartbeat(c)
    }, options.heartbeatMs)
  }

  function onClose(): void {
    ready = false
    clearTimer('heartbeat')
    clearTimer('ack')
    window.rewind()
  }

  transport.connect(
    {
      topic: topics.status,
      payload: () => wire.seal(topics.status, encode(status.death(id)), 'status', { will: true })!,
      qos: 1,
      retain: true,
    },
    {
      onConnect,
      onMessage,
      onError: (message) => noteError(message),
      onClose,
    },
  )

  return {
    kick: pump,
    respond(response) {
      const c = transport.current()
      if (ready && c !== null) respond(c, response.result?.type ?? 'config.push', response)
      else held.push(response)
    },
    state: () => ({
      connected: ready,
      lastAckAt,
      clockOffsetMs,
      ackedThrough: window.ackedThrough,
      inflight: window.inflight,
      backlog: ready ? window.backlog : 0,
      lastError,
      ...(wire.suite === 'off' ? {} : { crypto: { suite: wire.suite, refused: wire.refused() } }),
      batches: { ...counted },
    }),
    stop() {
      stopping ??= (async () => {
        const c = transport.close()
        onClose()
        if (c !== null) {
          // Our own goodbye, with ts; a clean DISCONNECT makes the broker drop the will.
          await bounded(clock, 2_000, (done) => publishStatus(c, status.death(id, clock.now()), () => done()))
          await bounded(clock, 2_000, (done) => c.disconnect(done))
          c.destroy()
        }
        log.info('uplink stopped')
      })()
      return stopping
    },
  }
}

/** Runs a callback-style operation, giving up after `ms` (a vanished broker never answers). */
function bounded(clock: Clock, ms: number, op: (done: () => void) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = clock.setTimeout(resolve, ms)
    op(() => {
      clock.clearTimeout(timer)
      resolve()
    })
  })
}
