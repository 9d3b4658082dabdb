import { startModbusSim, type ModbusSim } from './modbus-sim.ts'

/**
 * The park's pipe gallery, segment PG-01: three magnetostrictive static-level gauges on one
 * liquid line (firmware-configs/profiles/static-level-gauge.yaml: level as int32 in 0.01 mm at
 * hr0, temperature as int16 in 0.1 °C at hr2, status at hr3), behind a serial device server
 * (Modbus TCP → RS485 gateway), unit 1 the base point, units 2 and 3 measuring points.
 *
 * The liquid line breathes with the temperature (common to all gauges, cancels out); M1
 * sinks steadily (`sinkMmPerMin`), so its settlement grows while M2 stays put.
 */
export const GALLERY_UNITS = { base: 1, m1: 2, m2: 3 } as const

export interface Gallery {
  port: number
  sim: ModbusSim
  /** Liquid level read by a gauge now, mm. */
  level(unit: number): number
  stop(): Promise<void>
}

export interface GalleryOptions {
  port?: number
  tickMs?: number
  sinkMmPerMin?: number
  now?: () => number
}

export async function startGallery(options: GalleryOptions = {}): Promise<Gallery> {
  const now = options.now ?? Date.now
  const started = now()
  const sinkPerMs = (options.sinkMmPerMin ?? 0.6) / 60_000
  const sim = await startModbusSim({ port: options.port ?? 0, unitIds: Object.values(GALLERY_UNITS), responseMs: 5, separateUnits: true })
  const zero = { [GALLERY_UNITS.base]: 50.0, [GALLERY_UNITS.m1]: 52.3, [GALLERY_UNITS.m2]: 48.1 } as Record<number, number>
  const levels = new Map<number, number>()

  // Every gauge has the profile's register map in its own slave.
  const write = (unit: number, level: number, tempC: number) => {
    levels.set(unit, level)
    const gauge = sim.unit(unit)
    gauge.setValue('holding', 0, Math.round(level * 100), 'int32')
    gauge.setValue('holding', 2, Math.round(tempC * 10), 'int16')
    gauge.setHolding(3, [0])
  }
  const tick = () => {
    const t = now() - started
    const line = 0.8 * Math.sin((2 * Math.PI * t) / 300_000) // the whole line moves with the temperature
    const temp = 18 + 2 * Math.sin((2 * Math.PI * t) / 300_000)
    write(GALLERY_UNITS.base, zero[GALLERY_UNITS.base]! + line, temp)
    // A sinking gauge reads more liquid in its chamber.
    write(GALLERY_UNITS.m1, zero[GALLERY_UNITS.m1]! + line + sinkPerMs * t, temp)
    write(GALLERY_UNITS.m2, zero[GALLERY_UNITS.m2]! + line, temp)
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
