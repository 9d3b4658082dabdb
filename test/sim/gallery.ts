import { startModbusSim, type ModbusSim } from './modbus-sim.ts'

/**
 * The park's pipe gallery, segment PG-01: three magnetostrictive static-level gauges on one
 * liquid line (firmware-configs/profiles/static-level-gauge.yaml: level as int32 in 0.01 mm at
 * hr0, temperature as int16 in 0.1 °C at hr2, status at hr3), behind a serial device server
 * (Modbus TCP → RS485 gateway), unit 1 the base point, units 2 and 3 measuring points.
 *
 * The liquid line breathes with the temperature (common to all gauges, cancels out); each gauge
 * reads with its own noise (`noiseMm`, uniform ±, new each second) and at its resolution
 * (0.01 mm); M1 sinks steadily (`sinkMmPerMin`), so its settlement grows while M2 stays put.
 */
export const GALLERY_UNITS = { base: 1, m1: 2, m2: 3 } as const

export interface Gallery {
  port: number
  sim: ModbusSim
  /** Liquid level read by a gauge now, mm. */
  level(unit: number): number
  stop(): Promise<void>
}

export interface GallerySignalOptions {
  /** How fast M1 sinks, mm per minute (a demo speed: real settlement is mm per day). */
  sinkMmPerMin?: number
  /** Each gauge's reading noise, ± mm (uniform, a new draw each second). */
  noiseMm?: number
}

export interface GalleryOptions extends GallerySignalOptions {
  port?: number
  tickMs?: number
  now?: () => number
}

export interface GaugeReading {
  /** Liquid level in the gauge's chamber, mm, at the gauge's 0.01 mm resolution. */
  level: number
  tempC: number
}

const ZERO = { [GALLERY_UNITS.base]: 50.0, [GALLERY_UNITS.m1]: 52.3, [GALLERY_UNITS.m2]: 48.1 } as Record<
  number,
  number
>

/**
 * The gauges as a function of time: what gauge `unit` reads at `elapsedMs` since the start.
 * Pure (the noise is a hash of the gauge and the second), so the simulator and the demo's
 * alarm-budget test (test/e2e/demo-alarm-budget.test.ts) read the same gallery.
 */
export function gallerySignals(options: GallerySignalOptions = {}): (unit: number, elapsedMs: number) => GaugeReading {
  const sinkPerMs = (options.sinkMmPerMin ?? 0.6) / 60_000
  const noise = options.noiseMm ?? 0
  return (unit, t) => {
    const line = 0.8 * Math.sin((2 * Math.PI * t) / 300_000) // the whole line moves with the temperature
    const tempC = Math.round((18 + 2 * Math.sin((2 * Math.PI * t) / 300_000)) * 10) / 10
    // A sinking gauge reads more liquid in its chamber.
    const sink = unit === GALLERY_UNITS.m1 ? sinkPerMs * t : 0
    const jitter = noise * (2 * unitNoise(unit, Math.floor(t / 1_000)) - 1)
    return { level: Math.round((ZERO[unit]! + line + sink + jitter) * 100) / 100, tempC }
  }
}

/** A uniform number in [0, 1) from a gauge and a second: the same inputs, the same draw. */
function unitNoise(unit: number, second: number): number {
  let h = Math.imul(unit ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(second, 0xc2b2ae35)
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d)
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b)
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296
}

export async function startGallery(options: GalleryOptions = {}): Promise<Gallery> {
  const now = options.now ?? Date.now
  const started = now()
  const read = gallerySignals(options)
  const sim = await startModbusSim({
    port: options.port ?? 0,
    unitIds: Object.values(GALLERY_UNITS),
    responseMs: 5,
    separateUnits: true,
  })
  const levels = new Map<number, number>()

  // Every gauge has the profile's register map in its own slave.
  const tick = () => {
    const t = now() - started
    for (const unit of Object.values(GALLERY_UNITS)) {
      const r = read(unit, t)
      levels.set(unit, r.level)
      const gauge = sim.unit(unit)
      gauge.setValue('holding', 0, Math.round(r.level * 100), 'int32')
      gauge.setValue('holding', 2, Math.round(r.tempC * 10), 'int16')
      gauge.setHolding(3, [0])
    }
  }
  tick()
  const timer = setInterval(() => {
    try {
      tick()
    } catch {
      // the next tick tries again
    }
  }, options.tickMs ?? 1_000)
  timer.unref()
  return {
    port: sim.port,
    sim,
    level: (unit) => levels.get(unit) ?? NaN,
    async stop() {
      clearInterval(timer)
      await sim.stop()
    },
  }
}
