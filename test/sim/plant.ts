import type { ByteOrder } from '../../edge/drivers/modbus/config.ts'
import type { PointClass } from '../../shared/rules/priority.ts'
import { startModbusSim, type ModbusSim } from './modbus-sim.ts'

/**
 * 实联化工 (Shilian Chemical): a level-1 major hazard source, synthetic ammonia (brief §1).
 * Liquid-ammonia storage TK-101/TK-102 (pressurised, ambient temperature) on the DCS, unit 1;
 * gas detectors on the gas-detection controller (GDS), unit 3, word-swapped floats (CDAB) as
 * many GDS controllers send them. Values drift around realistic set points; TK-101's level is
 * driven through its HH limit and back once per scenario period.
 */
export interface PlantPoint {
  id: string
  name: string
  nameEn: string
  unit?: string
  device: 'dcs' | 'gds'
  address: string
  type: 'bool' | 'int16' | 'float32'
  order?: ByteOrder
  scale?: number
  class: PointClass
  limits?: { hh?: number; h?: number; l?: number; ll?: number; deadband: number }
  /** Engineering-value model: mean, spread of the drift, and hard bounds. */
  model: { mean: number; sigma: number; min: number; max: number }
}

export const PLANT_UNITS = { dcs: 1, gds: 3 } as const

const tank = (n: string, base: number, at: number, levelMean: number): PlantPoint[] => [
  {
    id: `shilian.tk${n}.level`,
    name: `液氨储罐TK-${n}液位`,
    nameEn: `NH3 tank TK-${n} level`,
    unit: 'm',
    device: 'dcs',
    address: `hr${at}`,
    type: 'float32',
    class: 'mhs',
    limits: { hh: 10.5, h: 9.5, l: 2, ll: 1, deadband: 0.1 },
    model: { mean: levelMean, sigma: 0.05, min: 0.3, max: 11.8 },
  },
  {
    id: `shilian.tk${n}.pressure`,
    name: `液氨储罐TK-${n}压力`,
    nameEn: `NH3 tank TK-${n} pressure`,
    unit: 'MPa',
    device: 'dcs',
    address: `hr${at + 2}`,
    type: 'float32',
    class: 'mhs',
    limits: { hh: 1.6, h: 1.4, l: 0.2, deadband: 0.02 },
    model: { mean: base, sigma: 0.01, min: 0.1, max: 2.1 },
  },
  {
    id: `shilian.tk${n}.temp`,
    name: `液氨储罐TK-${n}温度`,
    nameEn: `NH3 tank TK-${n} temperature`,
    unit: '°C',
    device: 'dcs',
    address: `hr${at + 4}`,
    type: 'int16',
    scale: 0.1,
    class: 'mhs',
    limits: { hh: 45, h: 40, l: -10, deadband: 0.5 },
    model: { mean: 18, sigma: 0.05, min: -20, max: 50 },
  },
]

const detector = (
  n: string,
  gas: string,
  unit: string,
  at: number,
  h: number,
  hh: number,
  mean: number,
  max: number,
): PlantPoint => ({
  id: `shilian.gt${n}.${gas.toLowerCase()}`,
  name: `${gas}检测器GT-${n}`,
  nameEn: `${gas} detector GT-${n}`,
  unit,
  device: 'gds',
  address: `ir${at}`,
  type: 'float32',
  order: 'CDAB',
  class: 'gas',
  limits: { hh, h, deadband: h * 0.05 },
  model: { mean, sigma: mean * 0.08 + 0.05, min: 0, max },
})

export const shilianPlantPoints: readonly PlantPoint[] = Object.freeze([
  ...tank('101', 0.82, 0, 7.2),
  ...tank('102', 0.78, 10, 5.6),
  // NH3 and CO in ppm, H2 in %LEL; two alarm levels per GB/T 50493-2019.
  detector('101', 'NH3', 'ppm', 0, 25, 50, 2.5, 500),
  detector('102', 'NH3', 'ppm', 2, 25, 50, 1.8, 500),
  detector('103', 'NH3', 'ppm', 4, 25, 50, 3.1, 500),
  detector('104', 'H2', '%LEL', 6, 25, 50, 0.8, 100),
  detector('105', 'CO', 'ppm', 8, 24, 48, 1.2, 500),
  {
    id: 'shilian.p101.run',
    name: '液氨输送泵P-101运行',
    nameEn: 'NH3 pump P-101 running',
    device: 'dcs',
    address: 'co0',
    type: 'bool',
    class: 'general',
    model: { mean: 1, sigma: 0, min: 0, max: 1 },
  },
  {
    id: 'shilian.tk101.lshh',
    name: 'TK-101高高液位开关',
    nameEn: 'TK-101 high-high level switch',
    device: 'dcs',
    address: 'di0',
    type: 'bool',
    class: 'mhs',
    model: { mean: 0, sigma: 0, min: 0, max: 1 },
  },
])

/** The plant's process: what each point reads at a time since the start (test/sim/plant.ts `plantSignals`). */
export interface PlantSignalOptions {
  tickMs?: number
  /** TK-101 crosses HH and comes back once per period. */
  scenarioPeriodMs?: number
  /** Where in its period TK-101's scenario starts (0–1; 0: a baseline of 55 % of the period first). */
  scenarioStartPhase?: number
  seed?: number
}

export interface PlantOptions extends PlantSignalOptions {
  port?: number
  host?: string
  responseMs?: number
  now?: () => number
}

export interface Plant {
  port: number
  sim: ModbusSim
  points: readonly PlantPoint[]
  /** The engineering value last written for a point. */
  value(id: string): number | boolean | undefined
  stop(): Promise<void>
}

/** TK-101 level over one period: baseline, a rise through HH (10.5 m), a hold, a fall back. */
export function scenarioLevel(phase: number, base: number): number {
  const peak = 10.9
  if (phase < 0.55) return base
  if (phase < 0.7) return base + (peak - base) * ((phase - 0.55) / 0.15)
  if (phase < 0.8) return peak
  if (phase < 0.95) return peak - (peak - base) * ((phase - 0.8) / 0.15)
  return base
}

export type PlantValues = ReadonlyMap<string, number | boolean>

/**
 * The plant as a function of time: `at(elapsedMs)` is every point's engineering value (as its
 * register carries it) at that time since the start. The drift is a seeded random walk stepped
 * once per tick, so the same time always gives the same values; the simulator and the demo's
 * alarm-budget test (test/e2e/demo-alarm-budget.test.ts) read the same process.
 */
export function plantSignals(options: PlantSignalOptions = {}): { tickMs: number; at(elapsedMs: number): PlantValues } {
  const tickMs = options.tickMs ?? 1_000
  const period = options.scenarioPeriodMs ?? 60_000
  const offset = (options.scenarioStartPhase ?? 0) * period
  const seed = options.seed ?? 101
  const tk101 = shilianPlantPoints.find((p) => p.id === 'shilian.tk101.level')!
  const lshh = shilianPlantPoints.find((p) => p.id === 'shilian.tk101.lshh')!
  // The drifting process state after tick `tick` (memoized: time mostly moves forward).
  let random = mulberry32(seed)
  let tick = -1
  let baseline = new Map<string, number>()
  const driftTo = (k: number) => {
    if (k < tick) {
      random = mulberry32(seed)
      tick = -1
    }
    if (tick === -1) baseline = new Map(shilianPlantPoints.map((p) => [p.id, p.model.mean]))
    for (; tick < k; tick++)
      for (const p of shilianPlantPoints)
        if (p.type !== 'bool') baseline.set(p.id, driftStep(p, baseline.get(p.id)!, random))
  }
  return {
    tickMs,
    at(elapsedMs) {
      driftTo(Math.max(0, Math.floor(elapsedMs / tickMs)))
      const phase = ((elapsedMs + offset) % period) / period
      const values = new Map<string, number | boolean>()
      for (const p of shilianPlantPoints) {
        if (p.type === 'bool') values.set(p.id, p.model.mean === 1)
        else
          values.set(
            p.id,
            asRegistered(p, p === tk101 ? scenarioLevel(phase, baseline.get(p.id)!) : baseline.get(p.id)!),
          )
      }
      values.set(lshh.id, (values.get(tk101.id) as number) >= 10.8)
      return values
    },
  }
}

/** A value as the point's register holds it: a float32, or an integer count of `scale`. */
export function asRegistered(p: PlantPoint, v: number): number {
  if (p.type === 'float32') return Math.fround(v)
  if (p.type === 'int16') return Math.round(v / (p.scale ?? 1)) * (p.scale ?? 1)
  return v
}

export async function startPlant(options: PlantOptions = {}): Promise<Plant> {
  const signals = plantSignals(options)
  const now = options.now ?? Date.now
  const sim = await startModbusSim({
    port: options.port ?? 0,
    host: options.host,
    unitIds: [PLANT_UNITS.dcs, PLANT_UNITS.gds],
    responseMs: options.responseMs ?? 2,
  })
  const values = new Map<string, number | boolean>()
  const started = now()

  const write = (p: PlantPoint, v: number | boolean) => {
    values.set(p.id, v)
    const address = Number(p.address.slice(2))
    if (p.type === 'bool')
      return p.address.startsWith('co') ? sim.setCoil(address, v as boolean) : sim.setDiscrete(address, v as boolean)
    const raw = (v as number) / (p.scale ?? 1)
    sim.setValue(p.address.startsWith('hr') ? 'holding' : 'input', address, raw, p.type, p.order ?? 'ABCD')
  }
  const tick = () => {
    const at = signals.at(now() - started)
    for (const p of shilianPlantPoints) write(p, at.get(p.id)!)
  }

  tick()
  const timer = setInterval(() => {
    try {
      tick()
    } catch {
      // A simulator tick must never stop the plant; the next tick tries again.
    }
  }, signals.tickMs)
  timer.unref()

  return {
    port: sim.port,
    sim,
    points: shilianPlantPoints,
    value: (id) => values.get(id),
    async stop() {
      clearInterval(timer)
      await sim.stop()
    },
  }
}

/** One tick of a point's process: a mean-reverting random walk that stays near the set point, never beyond physical bounds. */
export function driftStep(p: PlantPoint, prev: number, random: () => number): number {
  return Math.min(
    p.model.max,
    Math.max(p.model.min, prev + 0.1 * (p.model.mean - prev) + p.model.sigma * gaussian(random)),
  )
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12)
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random())
}
