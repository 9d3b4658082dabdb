import path from 'node:path'
import { cloudConfigFor } from '../../deploy/demo/configs.ts'
import { openSqliteOutbox } from '../../edge/outbox/sqlite-outbox.ts'
import type { Sample } from '../../shared/wire/sample.ts'
import { shilianPlantPoints } from '../sim/plant.ts'
import { openSse } from '../util/sse.ts'
import { waitFor } from '../util/wait.ts'
import { startLiveLoad } from './load.ts'
import { sqliteEngine } from './engines.ts'
import { DEFAULT_BATCH_SIZE, startBenchPark, startBenchUplink } from './park.ts'
import { quantile, result, type BenchResult } from './table.ts'

/** TK-101's level: registered with HH 10.5 / H 9.5 m, deadband 0.1 (test/sim/plant.ts → the demo's registry). */
const ALARM_POINT = 'shilian.tk101.level'

interface RaiseEvent {
  change: { alarm: number; action: string; at: number }
  alarm: { point: string; kind: string } | null
}

/**
 * (3) End-to-end alarm latency: an edge (outbox + MQTT uplink in this process, the agent's
 * uplink defaults) writes `perSecond` background samples/s plus TK-101's level, which crosses its
 * registered HH limit every `periodMs` and goes back under H − deadband half a period later, so
 * each crossing raises a new alarm. Through Debian's mosquitto to `parklink cloud` (its own
 * process); a client on GET /api/v1/alarms/stream (a park_operator API key) takes the time each
 * HH `raise` arrives. Latency = arrival − the crossing sample's timestamp (the time it was read
 * and written to the outbox, the same clock as the client's): the system's whole path.
 * The registry gives the point no on-delay (ISA-18.2 filtering, cloud/config.ts rules.onDelayS),
 * so none is in the figure; the row name says which applied.
 */
export async function benchAlarmLatency(
  dir: string,
  o: { crossings: number; periodMs: number; perSecond: number; warmupMs?: number },
): Promise<BenchResult[]> {
  const plant = shilianPlantPoints.find((p) => p.id === ALARM_POINT)
  const limits = plant?.limits
  if (!limits?.hh || !limits.h)
    throw new Error(
      `${ALARM_POINT} lost its HH/H limits in test/sim/plant.ts: pick another registered point for the alarm-latency bench`,
    )
  const registered = cloudConfigFor({
    dataDir: '.',
    httpPort: 0,
    mqttUrl: 'mqtt://127.0.0.1:1883',
    clientId: 'x',
  }).registry!.points!.find((p) => p.id === ALARM_POINT) as { rules?: { onDelayS?: number } } | undefined
  const onDelayS = registered?.rules?.onDelayS ?? 0
  const high = limits.hh + 0.3
  const low = limits.h - limits.deadband - 1

  const park = await startBenchPark(path.join(dir, 'alarm-latency'), 'alarm-latency', sqliteEngine)
  const outbox = openSqliteOutbox({ file: path.join(dir, 'alarm-latency', 'outbox.db') })
  const uplink = startBenchUplink(outbox, park.mqttUrl, 'bench-alarm')
  const arrived = new Map<number, number>()
  let ready = false
  const stream = openSse(`${park.api}/alarms/stream`, park.auth, (e) => {
    if (e.event === 'ready') ready = true
    if (e.event !== 'raise') return
    const { change, alarm } = JSON.parse(e.data) as RaiseEvent
    // change.at is the raise's source time: the timestamp of the sample that crossed.
    if (alarm?.point === ALARM_POINT && alarm.kind === 'HH') arrived.set(change.at, e.receivedAt)
  })
  const crossings: number[] = []
  let load: ReturnType<typeof startLiveLoad> | null = null
  try {
    await stream.opened
    await waitFor(() => ready && uplink.state().connected, {
      timeoutMs: 30_000,
      message: () => `no alarm stream or no uplink\n${park.cloud.output().slice(-2000)}`,
    })
    const warmupMs = o.warmupMs ?? 5_000
    const start = Date.now() + warmupMs
    let wasHigh = false
    const extra = (now: number): Sample => {
      // After the warm-up: low for half a period, then high for half a period, `crossings` times.
      const half = Math.floor((now - start) / (o.periodMs / 2))
      const isHigh = now >= start && half % 2 === 1 && Math.floor(half / 2) < o.crossings
      if (isHigh && !wasHigh) crossings.push(now)
      wasHigh = isHigh
      return { point: ALARM_POINT, ts: now, value: isHigh ? high : low, quality: 'good' }
    }
    const loadStart = Date.now()
    load = startLiveLoad(outbox, () => uplink.kick(), { perSecond: o.perSecond, batchSize: DEFAULT_BATCH_SIZE, extra })
    await waitFor(() => crossings.length >= o.crossings, {
      timeoutMs: warmupMs + o.crossings * o.periodMs + 30_000,
      intervalMs: 100,
      message: 'the load generator fell behind',
    })
    // The last raise may still be on its way: wait for it (or give up after 15 s, counted as missing).
    await waitFor(() => crossings.every((t) => arrived.has(t)), { timeoutMs: 15_000, intervalMs: 50 }).catch(() => null)
    const offered = load.samples() / ((Date.now() - loadStart) / 1000)
    load.stop()
    // A raise that never arrived counts with the time waited for it: a lower bound, and the row says so.
    const end = Date.now()
    const latencies = crossings.map((t) => (arrived.get(t) ?? end) - t)
    const missing = crossings.filter((t) => !arrived.has(t)).length
    const what = `crossing → SSE raise, ${crossings.length} HH crossings${missing > 0 ? ` (${missing} never arrived)` : ''}, ${Math.round(o.perSecond / 1000)} k samples/s load, on-delay ${onDelayS} s`
    return [
      result(`alarm latency p50 (${what})`, quantile(latencies, 0.5), 'ms'),
      result(`alarm latency p99 (${what})`, quantile(latencies, 0.99), 'ms', { target: { op: '<=', value: 1_000 } }),
      result('alarm-latency bench: load appended at the edge', offered, 'samples/s'),
    ]
  } finally {
    load?.stop()
    stream.close()
    await uplink.stop()
    outbox.close()
    await park.stop()
  }
}
