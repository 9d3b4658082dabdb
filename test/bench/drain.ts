import path from 'node:path'
import { mkdirSync } from 'node:fs'
import { openSqliteOutbox } from '../../edge/outbox/sqlite-outbox.ts'
import { systemClock } from '../../shared/clock.ts'
import type { Sample } from '../../shared/wire/sample.ts'
import { tryGetJson } from '../util/http.ts'
import type { BenchEngine } from './engines.ts'
import { LOAD_POINTS, startLiveLoad } from './load.ts'
import { reading } from './outbox.ts'
import { DEFAULT_BATCH_SIZE, startBenchPark, startBenchUplink } from './park.ts'
import { quantile, result, type BenchResult } from './table.ts'

/** TK-102's level: a registered point the load does not otherwise write; its samples are the live markers. */
const MARKER_POINT = 'shilian.tk102.level'

interface PointView {
  latest: { ts: number } | null
}

const log = (text: string) => console.error(`[bench drain] ${text}`)

/**
 * (4) Drain of a backlog while live data keeps coming. The backlog is what an edge writes while
 * its park is unreachable: `backlogMinutes` of `perSecond` samples/s (every background point once
 * a second), appended through the outbox's own API in the agent's batch size, each batch stamped
 * (sample time and the outbox's createdAt, through its clock) at the second it was read, so the
 * uplink sends them as the old batches they are (`historical`). Then the park comes up, the edge
 * connects, and live readings continue at `perSecond` with one marker sample per 100 ms tick.
 *
 * (a) Drain rate: backlog duration / time from the connect until the cloud's ack reaches the
 *     backlog's last seq (× real time), and backlog samples / that time.
 * (b) Live latency during the drain: a marker's creation (its timestamp) → stored at the cloud,
 *     seen by polling GET /api/v1/points/{marker} every 100 ms: every marker at or before the
 *     latest stored one counts as stored when that answer arrived (an upper bound by one poll).
 *     Markers made between the connect and the end of the drain are measured; the live load
 *     stops at the end of the drain, and a marker not stored 120 s later counts with the time
 *     waited (a lower bound, said in the row's name).
 */
export async function benchDrain(
  engine: BenchEngine,
  dir: string,
  o: { backlogMinutes: number; perSecond: number; timeoutS?: number },
): Promise<BenchResult[]> {
  const here = path.join(dir, `drain-${engine.name.toLowerCase()}`)
  mkdirSync(here, { recursive: true })
  let simulated: number | null = null
  const outbox = openSqliteOutbox({
    file: path.join(here, 'outbox.db'),
    clock: { ...systemClock, now: () => simulated ?? Date.now() },
  })
  let park: Awaited<ReturnType<typeof startBenchPark>> | null = null
  let uplink: ReturnType<typeof startBenchUplink> | null = null
  let load: ReturnType<typeof startLiveLoad> | null = null
  try {
    // The backlog: the last `backlogMinutes` before now, second by second.
    const backlogMs = o.backlogMinutes * 60_000
    const built = Date.now()
    const from = built - backlogMs
    for (let s = 0; s < backlogMs / 1000; s++) {
      const ts = from + s * 1000
      simulated = ts
      for (let i = 0; i < o.perSecond; i += DEFAULT_BATCH_SIZE) {
        const list: Sample[] = []
        for (let j = i; j < Math.min(o.perSecond, i + DEFAULT_BATCH_SIZE); j++)
          list.push(reading(j % LOAD_POINTS, ts, s / 10))
        outbox.append(list)
      }
      if (s % 600 === 599) log(`backlog: ${(s + 1) / 60} of ${o.backlogMinutes} min written`)
    }
    simulated = null
    const backlog = outbox.stats()
    log(
      `backlog of ${backlog.samples} samples in ${backlog.batches} batches written in ${((Date.now() - built) / 1000).toFixed(0)} s; starting the park`,
    )

    park = await startBenchPark(path.join(here, 'park'), `drain-${engine.name.toLowerCase()}`, engine)
    const markers: number[] = []
    const stored = new Map<number, number>()
    load = startLiveLoad(outbox, () => uplink?.kick(), {
      perSecond: o.perSecond,
      batchSize: DEFAULT_BATCH_SIZE,
      extra: (now) => (markers.push(now), { point: MARKER_POINT, ts: now, value: 5, quality: 'good' }),
    })
    const connectAt = Date.now()
    uplink = startBenchUplink(outbox, park.mqttUrl, 'bench-drain')
    const deadline = connectAt + (o.timeoutS ?? 900) * 1000
    const afterDrainMs = 120_000
    let drainedAt: number | null = null
    let seen = 0
    let lastLog = connectAt
    for (;;) {
      const now = Date.now()
      if (drainedAt === null && uplink.state().ackedThrough >= backlog.lastSeq) {
        drainedAt = now
        // The measured markers are made: no more live load, so what is left is the live data queued during the drain.
        load.stop()
        log(`backlog acked after ${((now - connectAt) / 1000).toFixed(1)} s`)
      }
      const point = await tryGetJson<PointView>(`${park.api}/points/${MARKER_POINT}`, park.auth)
      const answered = Date.now()
      for (; seen < markers.length && point?.latest && markers[seen]! <= point.latest.ts; seen++)
        stored.set(markers[seen]!, answered)
      const measured = markers.filter((t) => t >= connectAt && (drainedAt === null || t <= drainedAt))
      if (drainedAt !== null && measured.every((t) => stored.has(t))) break
      if (answered >= deadline || (drainedAt !== null && answered - drainedAt >= afterDrainMs)) break
      if (answered - lastLog >= 30_000) {
        lastLog = answered
        log(
          `${((answered - connectAt) / 1000).toFixed(0)} s: acked through ${uplink.state().ackedThrough} of ${backlog.lastSeq}; ${seen} of ${markers.length} live markers stored`,
        )
      }
      await new Promise((r) => setTimeout(r, 100))
    }
    load.stop()
    const end = Date.now()
    const finished = drainedAt !== null
    // Not drained in time: the rate so far (acked backlog batches are full batches of the agent's size).
    const drainMs = (drainedAt ?? end) - connectAt
    const drainedSamples = finished
      ? backlog.samples
      : Math.max(0, uplink.state().ackedThrough - (backlog.lastSeq - backlog.batches)) * DEFAULT_BATCH_SIZE
    const measured = markers.filter((t) => t >= connectAt && t <= (drainedAt ?? end))
    const latencies = measured.map((t) => (stored.get(t) ?? end) - t)
    const unstored = measured.filter((t) => !stored.has(t)).length
    const size = `${o.backlogMinutes} min backlog at ${Math.round(o.perSecond / 1000)} k/s (${(backlog.samples / 1e6).toFixed(1)} M samples) + live ${Math.round(o.perSecond / 1000)} k/s`
    const cut = finished ? '' : `, NOT drained in ${Math.round((end - connectAt) / 1000)} s: rate so far`
    const live = `${measured.length} markers${unstored > 0 ? `, ${unstored} not stored by the end (counted as lower bounds)` : ''}`
    return [
      result(`${engine.name}: drain ${size}${cut}`, ((drainedSamples / o.perSecond) * 1000) / drainMs, '× real time', {
        target: { op: '>=', value: 20 },
      }),
      result(`${engine.name}: drain rate ${size}${cut}`, drainedSamples / (drainMs / 1000), 'samples/s'),
      result(
        `${engine.name}: live latency p50 during the drain, creation → stored (${live})`,
        quantile(latencies, 0.5),
        'ms',
      ),
      result(
        `${engine.name}: live latency p99 during the drain, creation → stored (${live})`,
        quantile(latencies, 0.99),
        'ms',
        {
          target: { op: '<=', value: 2_000 },
        },
      ),
    ]
  } finally {
    load?.stop()
    await uplink?.stop()
    outbox.close()
    await park?.stop()
  }
}
