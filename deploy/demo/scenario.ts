import type { GallerySignalOptions } from '../../test/sim/gallery.ts'
import type { PlantSignalOptions } from '../../test/sim/plant.ts'

/**
 * The demo's designed events, in one place: what the simulators do and when. Everything here is
 * a function of the time since the demo started, so `parklink demo` and its alarm-budget test
 * (test/e2e/demo-alarm-budget.test.ts, 30 simulated minutes on a fake clock) run the same park.
 */
export interface DemoScenario {
  /** 实联 TK-101: its level driven through H and HH (and the LSHH switch) and back, once per period. */
  tk101: Required<Pick<PlantSignalOptions, 'scenarioPeriodMs' | 'scenarioStartPhase'>>
  /** Pipe gallery PG-01: M1 sinks at a demo speed; every gauge reads with its own noise. */
  gallery: Required<GallerySignalOptions>
  /** The gallery camera sees an intruder for `holdS`, every `everyS` (the first once the edge has subscribed). */
  camera: { everyS: number; holdS: number }
  /** The HJ 212 station: packets every `intervalMs`; COD over its H limit now and then (`cod`). */
  hj212: { intervalMs: number; cod: Exceedance | null }
}

/** A designed exceedance: every `everyMs` from `firstAtMs`, `rise` above the mean over rampMs, held holdMs, back over rampMs. */
export interface Exceedance {
  firstAtMs: number
  everyMs: number
  rise: number
  rampMs: number
  holdMs: number
}

/**
 * A well-tuned plant (issue 14, ISA-18.2): a handful of designed alarms per half hour, none from
 * noise. In 30 minutes: TK-101 three times (H, HH and its LSHH switch each; the first rise a
 * minute after the start), the intruder three times, COD over its H limit twice, and M1's
 * settlement rate once (it keeps sinking; its cumulative settlement reaches L, −10 mm, after
 * 40 minutes). Nothing else alarms: the gauges' noise (±0.02 mm) stays inside the settlement
 * points' deadbands and the rate's window and limit (deploy/demo/configs.ts).
 */
export const DEMO_SCENARIO: DemoScenario = {
  tk101: { scenarioPeriodMs: 600_000, scenarioStartPhase: 0.45 },
  gallery: { sinkMmPerMin: 0.25, noiseMm: 0.02 },
  camera: { everyS: 600, holdS: 10 },
  hj212: {
    intervalMs: 2_000,
    cod: { firstAtMs: 240_000, everyMs: 900_000, rise: 30, rampMs: 40_000, holdMs: 100_000 },
  },
}

const wave = (mean: number, amplitude: number, periodS: number) => (t: number) =>
  mean + amplitude * Math.sin((2 * Math.PI * t) / (periodS * 1000))

/** How far an exceedance lifts a value at `t` (0 outside its episodes): a trapezoid, steeper than the waves under it. */
export function exceedanceAt(e: Exceedance | null, t: number): number {
  if (e === null || t < e.firstAtMs) return 0
  const into = (t - e.firstAtMs) % e.everyMs
  if (into < e.rampMs) return (e.rise * into) / e.rampMs
  if (into < e.rampMs + e.holdMs) return e.rise
  if (into < 2 * e.rampMs + e.holdMs) return e.rise * (1 - (into - e.rampMs - e.holdMs) / e.rampMs)
  return 0
}

/** The station's factors (HJ 212 codes) as functions of the time since the start, ms. */
export function hj212Factors(
  s: DemoScenario['hj212'],
): Record<'w01018' | 'w21003' | 'w01001', (elapsedMs: number) => number> {
  const cod = wave(32, 6, 180)
  return {
    w01018: (t) => cod(t) + exceedanceAt(s.cod, t), // COD, mg/L (H 50, HH 100)
    w21003: wave(2.1, 0.6, 240), // NH3-N, mg/L (H 5)
    w01001: wave(7.4, 0.3, 300), // pH (6–9)
  }
}

/** Whether the camera sees the intruder `sinceFirstMs` after the first intrusion began. */
export function intruderInside(c: DemoScenario['camera'], sinceFirstMs: number): boolean {
  return sinceFirstMs >= 0 && sinceFirstMs % (c.everyS * 1000) < c.holdS * 1000
}
