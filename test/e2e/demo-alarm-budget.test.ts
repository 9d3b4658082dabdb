import { existsSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AlarmRecord } from '../../cloud/store/store.ts'
import { DEMO_SCENARIO, type DemoScenario } from '../../deploy/demo/scenario.ts'
import { CAMERA_FIRST_MS } from '../sim/demo-park.ts'
import { openPark, step, STEP_MS, T0, tempDir, type Park } from '../sim/demo-run.ts'

/**
 * The demo behaves like a well-tuned plant (issue 14, "Floods"): its configs, run for 30
 * simulated minutes on a fake clock, raise about one alarm per designed event and none on any
 * other point. The park is `parklink demo`'s: the same generated configs (deploy/demo/configs.ts),
 * the same simulators' values (deploy/demo/scenario.ts), through each edge's real sample path
 * (sanitize → settlement → local alarms → outbox) and the cloud's real ingest and alarm rules
 * (shared/rules) on a real SQLite store. No sockets: drivers and the uplink are replaced by the
 * feeds and by handing each outbox batch to the cloud's data handler.
 */
const RUN_MS = 30 * 60_000

/** Alarm episodes per point and kind, with the raises counted on latched (chattering) ones. */
function tally(alarms: readonly AlarmRecord[]): Map<string, { episodes: number; repeats: number }> {
  const out = new Map<string, { episodes: number; repeats: number }>()
  for (const a of alarms) {
    const key = `${a.point} ${a.kind}`
    const t = out.get(key) ?? { episodes: 0, repeats: 0 }
    out.set(key, { episodes: t.episodes + 1, repeats: t.repeats + (a.repeats ?? 0) })
  }
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)))
}

/** The designed events in the run, from the scenario: how many times each should alarm. */
function designedEvents(s: DemoScenario): Map<string, number> {
  const times = (first: number, every: number) => (first > RUN_MS ? 0 : Math.floor((RUN_MS - first) / every) + 1)
  const period = s.tk101.scenarioPeriodMs
  // TK-101 peaks at 70–80 % of its period; the scenario starts at scenarioStartPhase.
  const peakAt = ((((0.7 - s.tk101.scenarioStartPhase) % 1) + 1) % 1) * period
  const cycles = times(peakAt, period)
  const cod = s.hj212.cod ? times(s.hj212.cod.firstAtMs + s.hj212.cod.rampMs, s.hj212.cod.everyMs) : 0
  return new Map([
    ['shilian.tk101.level H', cycles],
    ['shilian.tk101.level HH', cycles],
    ['shilian.tk101.lshh DIGITAL', cycles],
    ['camera:park-cam-pg01 RYRQ', times(CAMERA_FIRST_MS, s.camera.everyS * 1000)],
    ['park.ws01.cod H', cod],
    // M1 sinks all along: its rate alarm raises once and stays.
    ['park.pg01.m1.level.rate L', s.gallery.sinkMmPerMin > 0 ? 1 : 0],
  ])
}

describe('the demo plant is well tuned (issue 14: floods)', () => {
  // On a RAM disk where there is one: the run commits thousands of small transactions.
  const tmp = tempDir('parklink-demo-budget-', existsSync('/dev/shm') ? '/dev/shm' : undefined)
  let park: Park
  let alarms: AlarmRecord[]

  beforeAll(async () => {
    park = await openPark(tmp.dir, DEMO_SCENARIO)
    for (let t = 0; t <= RUN_MS; t += STEP_MS) await step(park, t)
    alarms = await park.store.listAlarms({ scope: 'all', state: 'all', limit: 100_000 })
    const rows = [...tally(alarms)].map(
      ([key, t]) =>
        `  ${key.padEnd(40)} ${String(t.episodes).padStart(5)} episodes ${String(t.repeats).padStart(5)} repeats`,
    )
    console.log(`alarms in 30 simulated minutes of the demo (${alarms.length} episodes):\n${rows.join('\n')}`)
  }, 300_000)

  afterAll(async () => {
    for (const { edge } of park?.edges ?? []) edge.close()
    await park?.store.close()
    tmp.remove()
  })

  it('raises about one alarm per designed event: TK-101 cycles, intrusions, HJ 212 exceedances, the sinking gauge', () => {
    const expected = designedEvents(DEMO_SCENARIO)
    const seen = tally(alarms)
    for (const [key, events] of expected) {
      expect.soft(seen.get(key)?.episodes ?? 0, key).toBeLessThanOrEqual(events)
      expect.soft(seen.get(key)?.episodes ?? 0, key).toBeGreaterThanOrEqual(events > 0 ? 1 : 0)
    }
  })

  it('raises nothing on any other point, and nothing chatters', () => {
    const expected = designedEvents(DEMO_SCENARIO)
    const others = [...tally(alarms)].filter(([key]) => !expected.has(key)).map(([key, t]) => `${key}: ${t.episodes}`)
    expect(others).toEqual([])
    expect(alarms.filter((a) => (a.repeats ?? 0) > 0).map((a) => `${a.point} ${a.kind} ×${a.repeats}`)).toEqual([])
  })

  it('never floods (ISA-18.2: no 10-minute interval with more than 10 alarms)', () => {
    const per10 = new Map<number, number>()
    for (const a of alarms) {
      const interval = Math.floor((a.raisedAt - T0) / 600_000)
      per10.set(interval, (per10.get(interval) ?? 0) + 1)
    }
    expect(Math.max(0, ...per10.values())).toBeLessThanOrEqual(10)
  })
})
