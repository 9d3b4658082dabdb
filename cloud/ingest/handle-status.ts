import { errorMessage } from '../../shared/errors.ts'
import { decodeStatus } from '../../shared/wire/codec.ts'
import type { Status } from '../../shared/wire/messages.ts'
import { RejectReasons } from '../metrics.ts'
import { addressOf, reject, type InboundMessage, type IngestContext, type Rejected } from './context.ts'
import { publishAck } from './handle-data.ts'
import { judgeSender } from './judge.ts'
import { birthIds, screenBirth } from './screen.ts'

export type StatusOutcome =
  | Rejected
  | { kind: 'birth' }
  | { kind: 'state'; adopted: boolean; ignored: boolean }
  | { kind: 'death'; applied: boolean }
  | { kind: 'failed'; error: string }

/**
 * parklink/v1/{site}/{edge}/status (retained): birth, state heartbeat, death (the last will).
 *
 * A retained message replayed when the cloud subscribes is old news: it does not prove the edge
 * is alive now, so it counts as seen at the time it carries (never later than now), not at the
 * time it arrived. A death only applies to the session it names.
 */
export async function handleStatus(ctx: IngestContext, msg: InboundMessage): Promise<StatusOutcome> {
  const address = addressOf(msg, 'status')
  if (typeof address === 'string') return reject(ctx, msg, RejectReasons.BAD_TOPIC, address)
  const decoded = decodeStatus(msg.payload)
  if (!decoded.ok) return reject(ctx, msg, RejectReasons.INVALID_PAYLOAD, decoded.error)
  const status = decoded.value
  if (status.edge !== address.edge) {
    return reject(
      ctx,
      msg,
      RejectReasons.EDGE_MISMATCH,
      `payload edge "${status.edge}" differs from topic edge "${address.edge}"`,
    )
  }
  // A registered edge speaks only under its own site (issue 13), births and deaths alike.
  const judged = await judgeSender(
    ctx,
    msg,
    address,
    status.kind === 'birth' ? birthIds(status) : { points: [], cameras: [] },
  )
  if ('refused' in judged) return judged.refused
  ctx.metrics.ingest.statuses++
  try {
    if (status.kind === 'birth') {
      // Only what the edge owns or may claim is announced; the rest is refused (never re-homed).
      const screened = screenBirth(status, judged.verdict)
      const outcome = await apply(ctx, address.site, screened.message, msg.retained, msg.arrivedAt)
      ctx.ownership.claimed(status.edge, screened.claims.points, screened.claims.cameras)
      await ctx.refusals.report(status.edge, screened.refused)
      ctx.born?.(address.site, status.edge)
      return outcome
    }
    return await apply(ctx, address.site, status, msg.retained, msg.arrivedAt)
  } catch (err) {
    ctx.metrics.ingest.failed++
    ctx.log.error({ topic: msg.topic, kind: status.kind, err }, 'status not recorded')
    return { kind: 'failed', error: errorMessage(err) }
  }
}

async function apply(
  ctx: IngestContext,
  site: string,
  status: Status,
  retained: boolean,
  arrivedAt?: number,
): Promise<StatusOutcome> {
  const now = ctx.clock.now()
  const log = ctx.log.child({ edge: status.edge, session: status.session, retained })
  // The edge's clock, from its fresh messages only (shared/clock-offset.ts), against the time the
  // message came off the broker: time spent waiting in our inbox behind data is not the edge's.
  const clockOffset =
    ctx.clocks && !retained && status.kind !== 'death'
      ? ctx.clocks.observe(status.edge, status.ts, Math.min(arrivedAt ?? now, now))
      : null
  switch (status.kind) {
    case 'birth': {
      const outcome = await ctx.store.recordBirth(site, status, retained ? Math.min(status.ts, now) : now)
      if (clockOffset !== null) await ctx.store.recordClockOffset(status.edge, clockOffset, now)
      log.info({ points: status.points.length, configHash: status.configHash }, 'edge birth')
      // Threshold changes are audited (brief §4): say which limits the control room changed.
      for (const a of outcome.limitsAdopted)
        log.warn(
          { point: a.point, from: a.from, to: a.to },
          'alarm limits changed at the source (limitsFromSource): adopted',
        )
      for (const r of outcome.limitsRefused)
        log.error(
          { point: r.point, problem: r.problem },
          'source announced inconsistent alarm limits: not adopted, the previous limits stay in force',
        )
      // Tell a reconnecting edge our mark at once, in case the retained ack was lost with a broker
      // restart: the mark of the outbox it names (an outbox new to us has none yet).
      const through = ctx.tracker.through(status.edge, status.outboxId)
      if (through > 0 || ctx.ackEveryBirth) publishAck(ctx, site, status.edge, through, status.outboxId)
      return { kind: 'birth' }
    }
    case 'state': {
      const r = await ctx.store.recordState(site, status, retained ? Math.min(status.ts, now) : now)
      if (clockOffset !== null && !r.ignored) await ctx.store.recordClockOffset(status.edge, clockOffset, now)
      if (r.adopted) log.info('edge session adopted from a heartbeat (its birth was not seen)')
      if (r.ignored) log.info('heartbeat of a session already declared dead ignored')
      return { kind: 'state', ...r }
    }
    case 'death': {
      const r = await ctx.store.recordDeath(status, retained ? null : now)
      if (r.applied) log.warn('edge offline (death)')
      else log.info({ storedSession: r.storedSession }, 'death of another session ignored')
      return { kind: 'death', applied: r.applied }
    }
  }
}
