import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import type { Clock, TimerHandle } from '../../shared/clock.ts'
import { decodeCommandResponse, encode } from '../../shared/wire/codec.ts'
import type { CommandBody, CommandResponse } from '../../shared/wire/command.ts'
import type { GapRecord } from '../../shared/wire/gap.ts'
import { WIRE_VERSION } from '../../shared/wire/messages.ts'
import { topic } from '../../shared/wire/topics.ts'
import type { Store } from '../store/store.ts'
import { addressOf, type InboundMessage } from './context.ts'
import type { SnapshotRequests } from './snapshot-requests.ts'
import type { Ownership } from './ownership.ts'
import type { RefusalReporter } from './refusals.ts'
import { noRefusals, screenGaps } from './screen.ts'

export interface CommandChannelOptions {
  /** Publishes QoS 1, NOT retained (a command is for now, not for the next connect). */
  publish(topic: string, payload: Buffer): void
  store: Store
  clock: Clock
  log: Logger
  /** Snapshot requests sent, so their answers (and only those) are linked to alarms. */
  snapshots: SnapshotRequests
  /** Gap records in a resend answer are screened like a batch's (issue 13). */
  ownership: Ownership
  refusals: RefusalReporter
  /**
   * Several replicas (issue 16): every replica hears every edge's answers; handle only the answers
   * to commands THIS replica sent (the others are another replica's, ignored quietly).
   */
  onlyOwnAnswers?: boolean
}

/** How many sent command ids a replica remembers to tell its answers from other replicas'. */
const SENT_IDS_KEPT = 10_000

export interface CommandChannel {
  /** Sends a command and resolves with the edge's answer, or rejects after timeoutMs. */
  request(site: string, edge: string, cmd: CommandBody, timeoutMs?: number): Promise<CommandResponse>
  /** Sends a command whose answer is handled when it comes (the hole watch's resends, snapshot requests). Returns its id (`id` when given, a new uuid otherwise). */
  send(site: string, edge: string, cmd: CommandBody, id?: string): string
  /** A message on parklink/v1/{site}/{edge}/resp. */
  handleResponse(msg: InboundMessage): Promise<void>
  /** Rejects what still waits for an answer. */
  close(): void
}

/**
 * The cloud's end of the command channel (shared/wire/command.ts). A resend answer that names
 * gap records (the range is gone at the edge) stores them: the hole is then known, not silent.
 */
export function createCommandChannel(options: CommandChannelOptions): CommandChannel {
  const { clock, log } = options
  const waiting = new Map<
    string,
    { resolve: (r: CommandResponse) => void; reject: (e: Error) => void; timer: TimerHandle }
  >()

  const sent = new Set<string>()
  const send = (site: string, edge: string, cmd: CommandBody, id: string = randomUUID()): string => {
    if (options.onlyOwnAnswers) {
      sent.add(id)
      // A Set iterates in insertion order: the oldest id goes first.
      if (sent.size > SENT_IDS_KEPT) sent.delete(sent.values().next().value as string)
    }
    if (cmd.type === 'snapshot') options.snapshots.expect(id, edge, cmd.alarm, cmd.cameras)
    options.publish(topic(site, edge, 'cmd'), encode({ v: WIRE_VERSION, id, edge, ts: clock.now(), cmd }))
    log.info(
      { edge, id, cmd: cmd.type, ...(cmd.type === 'resend' ? { fromSeq: cmd.fromSeq, toSeq: cmd.toSeq } : {}) },
      'command sent to the edge',
    )
    return id
  }

  /** Only the gaps of the edge's own points are stored; the rest are refused like a batch's. */
  const recordOwnGaps = async (site: string, edge: string, gaps: readonly GapRecord[]) => {
    const points = [...new Set(gaps.flatMap((g) => (g.points === 'all' ? [] : g.points)))]
    const verdict = await options.ownership.judge(site, edge, points, [])
    if (verdict.siteMismatch !== null)
      return void log.warn(
        { edge, site, registered: verdict.siteMismatch },
        "resend answer under another site than the edge's refused (site_mismatch)",
      )
    const refused = noRefusals()
    const own = screenGaps(gaps, verdict, refused)
    if (own.length > 0) await options.store.recordGaps(edge, own, clock.now())
    await options.refusals.report(edge, refused)
  }

  return {
    send,
    request(site, edge, cmd, timeoutMs = 10_000) {
      return new Promise<CommandResponse>((resolve, reject) => {
        const id = send(site, edge, cmd)
        const timer = clock.setTimeout(() => {
          waiting.delete(id)
          reject(
            new Error(
              `no answer from edge ${edge} to ${cmd.type} within ${timeoutMs} ms: is it connected (GET /api/v1/edges)?`,
            ),
          )
        }, timeoutMs)
        waiting.set(id, { resolve, reject, timer })
      })
    },
    async handleResponse(msg) {
      const address = addressOf(msg, 'resp')
      if (typeof address === 'string')
        return void log.warn({ topic: msg.topic, error: address }, 'command response rejected')
      const decoded = decodeCommandResponse(msg.payload)
      if (!decoded.ok) return void log.warn({ topic: msg.topic, error: decoded.error }, 'command response rejected')
      const r = decoded.value
      if (options.onlyOwnAnswers && !sent.delete(r.id)) return
      if (r.edge !== address.edge)
        return void log.warn({ topic: msg.topic, edge: r.edge }, 'command response for another edge rejected')
      if (r.result?.type === 'resend') {
        log.info(
          {
            edge: r.edge,
            id: r.id,
            resent: r.result.resent.length,
            queued: r.result.queued ?? 0,
            alreadyAcked: r.result.alreadyAcked,
            gaps: r.result.gaps.length,
          },
          'resend answered',
        )
        if (r.result.gaps.length > 0) await recordOwnGaps(address.site, r.edge, r.result.gaps)
      } else if (!r.ok) log.warn({ edge: r.edge, id: r.id, error: r.error }, 'the edge could not carry out a command')
      const w = waiting.get(r.id)
      if (w) {
        waiting.delete(r.id)
        clock.clearTimeout(w.timer)
        w.resolve(r)
      }
    },
    close() {
      for (const [id, w] of waiting) {
        clock.clearTimeout(w.timer)
        w.reject(new Error(`command ${id} abandoned: the cloud is stopping`))
      }
      waiting.clear()
    },
  }
}
