import type { Outbox } from '../../edge/outbox/outbox.ts'
import type { Sample } from '../../shared/wire/sample.ts'
import { reading } from './outbox.ts'

/** Background points of the live load: each is read once a second at 10 000 samples/s. */
export const LOAD_POINTS = 10_000

export interface LiveLoad {
  /** Samples appended so far (background and extra). */
  samples(): number
  stop(): void
}

/**
 * Live readings as an agent writes them: every `tickMs`, the samples due at `perSecond` since the
 * start (so a late tick catches up instead of lowering the rate), stamped with the current time,
 * split into outbox batches of `batchSize` (as edge/agent.ts splits a read), then a kick of the
 * uplink. `extra(now)` may add one sample of its own at the head of the tick's first batch (an
 * alarm point, a marker): it is written the moment it is made, like a polled value.
 */
export function startLiveLoad(
  outbox: Outbox,
  kick: () => void,
  o: { perSecond: number; batchSize: number; tickMs?: number; extra?: (now: number) => Sample | null },
): LiveLoad {
  const tickMs = o.tickMs ?? 100
  const t0 = Date.now()
  let produced = 0
  let background = 0
  let timer: NodeJS.Timeout | null = null
  let stopped = false
  const tick = () => {
    if (stopped) return
    const now = Date.now()
    const due = Math.floor(((now - t0) / 1000) * o.perSecond) - background
    const list: Sample[] = []
    const extra = o.extra?.(now)
    if (extra) list.push(extra)
    for (let i = 0; i < due; i++)
      list.push(reading((background + i) % LOAD_POINTS, now, Math.floor((background + i) / LOAD_POINTS) / 10))
    background += Math.max(0, due)
    for (let i = 0; i < list.length; i += o.batchSize) outbox.append(list.slice(i, i + o.batchSize))
    produced += list.length
    if (list.length > 0) kick()
    timer = setTimeout(tick, Math.max(0, tickMs - (Date.now() - now)))
  }
  timer = setTimeout(tick, tickMs)
  return {
    samples: () => produced,
    stop() {
      stopped = true
      if (timer) clearTimeout(timer)
    },
  }
}
