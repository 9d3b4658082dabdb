import { randomUUID } from 'node:crypto'
import type { DeviceConfig } from '../../edge/config.ts'
import { priorityFor, type EventMapping } from '../../edge/drivers/onvif/config.ts'
import { mappingFor, transitionOf } from '../../edge/drivers/onvif/events.ts'
import { hj212Factors, intruderInside, type DemoScenario } from '../../deploy/demo/scenario.ts'
import type { CameraEvent } from '../../shared/wire/camera.ts'
import { goodSample, type Sample } from '../../shared/wire/sample.ts'
import { GALLERY_UNITS, gallerySignals } from './gallery.ts'
import { INTRUSION_TOPIC } from './onvif-sim.ts'
import { fuqiangOpcuaPoints, sampledValue } from './opcua-points.ts'
import { plantSignals } from './plant.ts'

/**
 * The demo's simulators read as their edge's drivers would, on a fake clock: one feed per
 * device, which says every how often the driver delivers and what it delivers then. The values
 * are the simulators' own functions of time (deploy/demo/scenario.ts), so a test replays the
 * park `parklink demo` runs, without sockets.
 */
export interface DeviceFeed {
  device: string
  everyMs: number
  /** Samples read `elapsedMs` after the start (stamped `ts`). */
  read?(elapsedMs: number, ts: number): Sample[]
  /** Camera events seen by a pull at `elapsedMs` (stamped from `t0`). */
  events?(elapsedMs: number, t0: number): CameraEvent[]
}

/** When the demo camera's first intrusion starts: once the edge has subscribed (its first health check). */
export const CAMERA_FIRST_MS = 5_000

export function demoFeeds(
  devices: readonly DeviceConfig[],
  pointsOf: (device: string) => readonly string[],
  s: DemoScenario,
): DeviceFeed[] {
  return devices.map((d): DeviceFeed => {
    const ids = pointsOf(d.id)
    switch (d.kind) {
      case 'modbus-tcp':
        return plantFeed(d.id, d.pollMs, ids, s)
      case 'modbus-gateway':
        return galleryFeed(d.id, d.units[0]?.pollMs ?? 1_000, ids, s)
      case 'opcua':
        return opcuaFeed(d.id, d.publishingIntervalMs, ids)
      case 'hj212':
        return hj212Feed(
          d.id,
          ids,
          d.instruments.flatMap((i) => i.points),
          s,
        )
      case 'onvif':
        return cameraFeed(d.id, d.pullIntervalMs, d.events, s)
      default:
        throw new Error(`no simulated feed for a ${d.kind} device`)
    }
  })
}

function plantFeed(device: string, everyMs: number, ids: readonly string[], s: DemoScenario): DeviceFeed {
  const plant = plantSignals(s.tk101)
  return {
    device,
    everyMs,
    read: (t, ts) => {
      const at = plant.at(t)
      return ids.map((id) => goodSample(id, ts, at.get(id)!))
    },
  }
}

const GAUGE_OF: Record<string, number> = { b: GALLERY_UNITS.base, m1: GALLERY_UNITS.m1, m2: GALLERY_UNITS.m2 }

/**
 * How the demo reads the gauges: the simulator writes new levels once a second (here 300 ms into
 * each second) and the gateway reads the units one after another (here 150 ms apart), so the
 * base and the measuring points are not read at the same instant: M2 sees the simulator's next
 * second while the base still shows the last one, as in a real gallery, where gauges are never
 * read at once. The settlement combines them anyway (within `maxSkewMs`).
 */
const SIM_TICK_PHASE_MS = 300
const UNIT_READ_GAP_MS = 150

/** Gauge points are {prefix}.{b|m1|m2}.{level|temp|status} (the static-level-gauge profile). */
function galleryFeed(device: string, everyMs: number, ids: readonly string[], s: DemoScenario): DeviceFeed {
  const read = gallerySignals(s.gallery)
  return {
    device,
    everyMs,
    read: (t, ts) =>
      ids.map((id) => {
        const [role, key] = id.split('.').slice(-2) as [string, string]
        const unit = GAUGE_OF[role]!
        const readAt = t + (unit - 1) * UNIT_READ_GAP_MS
        const written = Math.floor((readAt - SIM_TICK_PHASE_MS) / 1_000) * 1_000 + SIM_TICK_PHASE_MS
        const r = read(unit, Math.max(0, written))
        return goodSample(id, ts + (readAt - t), key === 'level' ? r.level : key === 'temp' ? r.tempC : 0)
      }),
  }
}

function opcuaFeed(device: string, everyMs: number, ids: readonly string[]): DeviceFeed {
  const byId = new Map(fuqiangOpcuaPoints.map((p) => [`fuqiang.${p.key.toLowerCase()}`, p]))
  return { device, everyMs, read: (t, ts) => ids.map((id) => goodSample(id, ts, sampledValue(byId.get(id)!, t))) }
}

/** HJ 212 DataTime has whole seconds: the samples carry the packet's second. */
function hj212Feed(
  device: string,
  ids: readonly string[],
  points: ReadonlyArray<{ id: string; factor: string }>,
  s: DemoScenario,
): DeviceFeed {
  const factors = hj212Factors(s.hj212) as Record<string, (t: number) => number>
  const factorOf = new Map(points.map((p) => [p.id, p.factor]))
  return {
    device,
    everyMs: s.hj212.intervalMs,
    read: (t, ts) =>
      ids.map((id) =>
        goodSample(id, Math.floor(ts / 1_000) * 1_000, Math.round(factors[factorOf.get(id)!]!(t) * 1000) / 1000),
      ),
  }
}

/**
 * The camera's events as its driver makes them (mapping, transition, priority: edge/drivers/onvif):
 * online at the first pull, then each change of the scenario's intruder (the simulator checks
 * once a second), stamped with the second it changed.
 */
function cameraFeed(camera: string, everyMs: number, mappings: readonly EventMapping[], s: DemoScenario): DeviceFeed {
  let pulledTo = -1
  let inside = false
  const mapping = mappingFor(INTRUSION_TOPIC, mappings)!
  return {
    device: camera,
    everyMs,
    events(t, t0) {
      const out: CameraEvent[] =
        pulledTo < 0 ? [{ id: randomUUID(), camera, ts: t0 + t, type: 'status', online: true }] : []
      for (let tick = Math.floor(pulledTo / 1_000 + 1) * 1_000; tick <= t; tick += 1_000) {
        const now = intruderInside(s.camera, tick - CAMERA_FIRST_MS)
        if (now === inside) continue
        inside = now
        const type = transitionOf({ topic: INTRUSION_TOPIC, ts: t0 + tick, data: { IsInside: String(now) } })
        out.push({
          id: randomUUID(),
          camera,
          ts: t0 + tick,
          type,
          topic: INTRUSION_TOPIC,
          kind: mapping.kind,
          code: mapping.code,
          priority: priorityFor(mapping),
          ...(type === 'clear' ? {} : { snapshotError: 'no picture in a simulated run' }),
        })
      }
      pulledTo = t
      return out
    },
  }
}
