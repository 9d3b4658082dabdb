import type { Context } from 'hono'
import { streamSSE } from 'hono/streaming'
import { ErrorCodes, ParklinkError } from '../../../shared/errors.ts'
import { subscribeQueued, type AlarmFeed, type StreamSlots } from '../../alarms/feed.ts'
import { HttpRefusals } from '../../metrics.ts'
import { alarmView } from '../alarm-view.ts'
import { identityOf, scope } from '../access.ts'
import type { ApiDeps } from '../deps.ts'
import { z } from 'zod'
import { UNSTREAMED_ACTIONS } from '../../alarms/feed.ts'
import type { AlarmChange, Scope } from '../../store/store.ts'

/** The live streams' limits and their count (one per service, shared with /health). */
export interface AlarmStreams {
  slots: StreamSlots
  /** Changes a stream may have waiting before its reader counts as too slow. */
  queue: number
}

/** A comment line this often keeps proxies from closing an idle stream, and re-checks the credentials. */
const KEEPALIVE_MS = 15_000

/**
 * GET /api/v1/alarms/stream: every change of a visible alarm as Server-Sent Events, each with
 * the id of its timeline entry; a client that reconnects with `Last-Event-ID` first gets the
 * changes after it, from the append-only timeline, then live ones (issue 14). Limited per
 * identity and in all (429 PL_TOO_MANY_STREAMS beyond, counted by reason); each stream has a
 * bounded queue, and a reader that falls behind it is dropped (its connection closed, counted as
 * stream_slow_reader), so no client makes the service buffer without end. The slot is given back
 * when the stream ends, however it ends.
 */
export function streamAlarms(c: Context, deps: ApiDeps, feed: AlarmFeed, streams: AlarmStreams): Response {
  const identity = identityOf(c)
  const resumeFrom = lastEventId(c, deps) // before a slot is taken: a refusal holds none
  const slot = streams.slots.acquire(`${identity.kind}:${identity.id}`)
  if (slot === 'identity' || slot === 'total') {
    deps.metrics.http.refused[
      slot === 'identity' ? HttpRefusals.STREAM_LIMIT_IDENTITY : HttpRefusals.STREAM_LIMIT_TOTAL
    ]++
    throw new ParklinkError(
      ErrorCodes.TOO_MANY_STREAMS,
      slot === 'identity'
        ? `this identity has the most live alarm streams it may open (${streams.slots.open} open in all)`
        : 'the service has the most live alarm streams it serves open',
      {
        hint:
          slot === 'identity'
            ? 'close another tab or client of this account (or API key) first; one stream carries every change'
            : 'try again later; tell the park administrator (http.streams.total)',
      },
    )
  }
  const visible = scope(c)
  const credentials = c.req.header('authorization')
  const now = () => deps.clock.now()
  const socket = (c.env as { incoming?: { socket?: { destroy(): void } } } | undefined)?.incoming?.socket
  return streamSSE(c, async (stream) => {
    const changes = subscribeQueued(feed, streams.queue, deps.clock, () => {
      deps.metrics.http.refused[HttpRefusals.STREAM_SLOW_READER]++
      deps.log.warn({ actor: identity.actor, queue: streams.queue }, 'alarm stream dropped: its reader fell behind')
      stream.abort()
      socket?.destroy() // what the socket holds unsent is let go as well
    })
    stream.onAbort(() => changes.close())
    const send = async (change: AlarmChange, id: number | null) => {
      // Another enterprise's alarm: not a word of it reaches this stream.
      const alarm = await deps.store.getAlarm(change.alarm, visible)
      if (alarm)
        await stream.writeSSE({
          event: change.action,
          ...(id === null ? {} : { id: String(id) }),
          data: JSON.stringify({ change, alarm: alarmView(alarm, now()) }),
        })
    }
    try {
      await stream.writeSSE({
        event: 'ready',
        data: JSON.stringify({ at: now(), ...(resumeFrom === null ? {} : { resumedAfter: resumeFrom }) }),
      })
      // Subscribed before the replay: a change committed meanwhile is queued, and sent once unless replayed already.
      let replayed = resumeFrom ?? 0
      if (resumeFrom !== null) replayed = await replay(deps, visible, resumeFrom, () => stream.aborted, send)
      while (!stream.aborted) {
        const change = await changes.next(KEEPALIVE_MS)
        if (stream.aborted) break
        if (!change) {
          // A stream outlives its access token: it ends once the credentials no longer hold (logout, disabled, revoked key).
          if (!(await deps.auth.authenticate(credentials))) break
          if (!stream.aborted && changes.size === 0) await stream.write(': keep-alive\n\n')
          continue
        }
        const id = await deps.store.alarmChangeEntry(change)
        if (id !== null && id <= replayed) continue
        await send(change, id)
      }
    } finally {
      changes.close()
      slot.release()
    }
  })
}

const LastEventId = z
  .string()
  .regex(/^\d{1,15}$/)
  .transform(Number)
/** Timeline entries read per page while a resumed stream catches up. */
const REPLAY_PAGE = 200

/** The `Last-Event-ID` a reconnecting client sent (null: none, a fresh stream). */
function lastEventId(c: Context, deps: ApiDeps): number | null {
  const header = c.req.header('last-event-id')
  if (header === undefined || header === '') return null
  const parsed = LastEventId.safeParse(header.trim())
  if (parsed.success) return parsed.data
  deps.metrics.http.refused[HttpRefusals.BAD_LAST_EVENT_ID]++
  throw new ParklinkError(ErrorCodes.BAD_REQUEST, 'Last-Event-ID is not an alarm stream event id', {
    hint: 'reconnect without Last-Event-ID (and reload the alarm list), or with the id of an event this stream sent',
  })
}

/** Sends the visible changes after timeline entry `after`, oldest first; returns the last entry read. */
async function replay(
  deps: ApiDeps,
  visible: Scope,
  after: number,
  aborted: () => boolean,
  send: (change: AlarmChange, id: number) => Promise<void>,
): Promise<number> {
  let last = after
  while (!aborted()) {
    const page = await deps.store.alarmChangesSince(last, visible, REPLAY_PAGE, UNSTREAMED_ACTIONS)
    for (const e of page) {
      if (aborted()) break
      await send(e.change, e.id)
      last = e.id
    }
    if (page.length < REPLAY_PAGE) break
  }
  return last
}
