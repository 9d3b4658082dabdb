import { QualityReasons } from '../../../shared/quality.ts'
import { badSample, type Sample } from '../../../shared/wire/sample.ts'

/**
 * Liveness of a pushed protocol (issue 14): an HJ 212 instrument that stops sending turns its
 * points bad once it has been silent for its expected upload interval × `silentAfterIntervals`
 * (HJ 212-2017 real-time data: typically every 30–60 s); an instrument without `intervalS` uses
 * the device's `staleAfterMs`. Pure: the driver's watchdog calls it with what it has seen.
 */
export interface SilenceDevice {
  staleAfterMs: number
  silentAfterIntervals: number
  instruments: ReadonlyArray<{ mn: string; intervalS?: number | undefined; points: ReadonlyArray<{ id: string }> }>
}

export function silenceLimitMs(device: SilenceDevice, instrument: SilenceDevice['instruments'][number]): number {
  return instrument.intervalS === undefined
    ? device.staleAfterMs
    : instrument.intervalS * 1000 * device.silentAfterIntervals
}

/** How often the watchdog looks: a quarter of the shortest limit (at least 50 ms). */
export function silenceCheckMs(device: SilenceDevice): number {
  return Math.max(50, Math.floor(Math.min(...device.instruments.map((i) => silenceLimitMs(device, i))) / 4))
}

/**
 * The instruments silent beyond their limit and not yet reported, each with a bad sample per
 * point saying for how long and what was expected. Instruments never heard from are left out
 * (a listener has no device to call "unreachable" before it first spoke).
 */
export function silentInstruments(
  device: SilenceDevice,
  lastSeen: ReadonlyMap<string, number>,
  reported: ReadonlySet<string>,
  now: number,
): Array<{ mn: string; samples: Sample[] }> {
  const out: Array<{ mn: string; samples: Sample[] }> = []
  for (const inst of device.instruments) {
    const seen = lastSeen.get(inst.mn)
    const limit = silenceLimitMs(device, inst)
    if (seen === undefined || now - seen <= limit || reported.has(inst.mn)) continue
    const expected =
      inst.intervalS === undefined
        ? ''
        : ` (expected every ${inst.intervalS} s, bad after ${device.silentAfterIntervals} intervals)`
    const reason =
      `${QualityReasons.TIMEOUT}:no data from MN ${inst.mn} for ${Math.round((now - seen) / 1000)} s${expected}`.slice(
        0,
        256,
      )
    out.push({ mn: inst.mn, samples: inst.points.map((p) => badSample(p.id, now, reason)) })
  }
  return out
}
