import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Clock } from '../../shared/clock.ts'
import { badSample, goodSample, type Sample } from '../../shared/wire/sample.ts'
import { createLogger } from '../log.ts'
import { openBaselineStore, type BaselineStore } from './baselines.ts'
import { SettlementConfig } from './config.ts'
import { createSettlementProcessor } from './processor.ts'

const T0 = Date.UTC(2026, 10, 22, 0, 0, 0)
const DAY = 86_400_000
const log = createLogger('settlement-test', 'silent')
const config = SettlementConfig.parse({
  segments: [
    { id: 'PG-01', base: 'pg.b1', points: ['pg.m1', 'pg.m2'] },
    { id: 'PG-02', base: 'pg.b2', points: ['pg.m3'] },
  ],
})

let dir: string
let store: BaselineStore
let now = T0
const clock: Clock = {
  now: () => now,
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
}
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'parklink-settlement-'))
  store = openBaselineStore(path.join(dir, 'baselines.db'))
  now = T0
})
afterEach(() => {
  store.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Gauge readings (liquid level in each gauge's chamber, mm) at `now`. */
const readings = (levels: Record<string, number>): Sample[] =>
  Object.entries(levels).map(([p, v]) => goodSample(p, now, v))
const values = (out: Sample[]) =>
  Object.fromEntries(out.map((s) => [s.point, s.quality === 'good' ? s.value : `bad:${s.reason}`]))

describe('settlement processor', () => {
  it('publishes nothing until a baseline is captured; captures it on an explicit request, with who and why', () => {
    const p = createSettlementProcessor(config, store, clock, log)
    expect(p.process(readings({ 'pg.b1': 50.0, 'pg.m1': 50.0, 'pg.m2': 51.2 }))).toEqual([])
    const req = store.request('PG-01', 'tech-zhang', 'commissioning of segment PG-01', now)
    now += 1_000
    p.process(readings({ 'pg.b1': 50.0, 'pg.m1': 50.0, 'pg.m2': 51.2 }))
    expect(store.get(req.id)).toMatchObject({
      by: 'tech-zhang',
      reason: 'commissioning of segment PG-01',
      capturedAt: now,
      values: { 'pg.b1': 50.0, 'pg.m1': 50.0, 'pg.m2': 51.2 },
    })
    expect(store.pending()).toEqual([])
  })

  it('a base-point drift cancels out; a measuring point dropping 2.00 mm reads −2.00 mm; rate and differential follow', () => {
    const p = createSettlementProcessor(config, store, clock, log)
    store.request('PG-01', 'tech-zhang', 'commissioning', now)
    p.process(readings({ 'pg.b1': 50.0, 'pg.m1': 50.0, 'pg.m2': 51.2 }))
    // Half a day later the whole liquid line rose 1.37 mm (temperature): nothing settled.
    now += DAY / 2
    expect(values(p.process(readings({ 'pg.b1': 51.37, 'pg.m1': 51.37, 'pg.m2': 52.57 })))).toEqual({
      'pg.m1.settlement': 0,
      'pg.m1.rate': 0,
      'pg.m1.diff': 0,
      'pg.m2.settlement': 0,
      'pg.m2.rate': 0,
    })
    // A day after commissioning M1 sank 2.00 mm (its gauge now reads 2.00 mm more liquid) while the line is back.
    now += DAY / 2
    expect(values(p.process(readings({ 'pg.b1': 50.0, 'pg.m1': 52.0, 'pg.m2': 51.2 })))).toEqual({
      'pg.m1.settlement': -2,
      'pg.m1.rate': -2,
      'pg.m1.diff': -2,
      'pg.m2.settlement': 0,
      'pg.m2.rate': 0,
    })
    // The announced points: settlement and rate per measuring point, a difference where a neighbour follows.
    expect(p.points().map((x) => `${x.id} ${x.unit}`)).toEqual([
      'pg.m1.settlement mm',
      'pg.m1.rate mm/d',
      'pg.m1.diff mm',
      'pg.m2.settlement mm',
      'pg.m2.rate mm/d',
      'pg.m2.diff mm',
      'pg.m3.settlement mm',
      'pg.m3.rate mm/d',
    ])
  })

  it('a bad input makes the derived points bad, naming the input', () => {
    const p = createSettlementProcessor(config, store, clock, log)
    store.request('PG-02', 'tech-zhang', 'commissioning', now)
    p.process(readings({ 'pg.b2': 40.0, 'pg.m3': 40.5 }))
    now += 1_000
    const out = p.process([badSample('pg.b2', now, 'timeout'), goodSample('pg.m3', now, 40.6)])
    expect(values(out)).toEqual({
      'pg.m3.settlement': 'bad:source_status:input pg.b2 bad (timeout)',
      'pg.m3.rate': 'bad:source_status:input pg.b2 bad (timeout)',
    })
  })

  it('readings too far apart in time are not combined', () => {
    const p = createSettlementProcessor(config, store, clock, log)
    store.request('PG-02', 'tech-zhang', 'commissioning', now)
    p.process(readings({ 'pg.b2': 40.0, 'pg.m3': 40.5 }))
    now += 60_000
    expect(p.process(readings({ 'pg.m3': 40.7 }))).toEqual([]) // the base's last reading is a minute old
  })

  it('baselines survive a restart; a re-baseline is kept in the history and takes over', () => {
    store.request('PG-02', 'tech-zhang', 'commissioning', now)
    createSettlementProcessor(config, store, clock, log).process(readings({ 'pg.b2': 40.0, 'pg.m3': 40.5 }))
    store.close()
    store = openBaselineStore(path.join(dir, 'baselines.db'))
    now += 5_000
    const p = createSettlementProcessor(config, store, clock, log)
    expect(values(p.process(readings({ 'pg.b2': 40.0, 'pg.m3': 41.0 })))['pg.m3.settlement']).toBe(-0.5)
    store.request('PG-02', 'eng-li', 'gauge M3 replaced', now)
    now += 5_000
    expect(values(p.process(readings({ 'pg.b2': 40.0, 'pg.m3': 30.0 })))['pg.m3.settlement']).toBe(0)
    expect(store.history('PG-02').map((b) => [b.by, b.reason, b.values])).toEqual([
      ['tech-zhang', 'commissioning', { 'pg.b2': 40.0, 'pg.m3': 40.5 }],
      ['eng-li', 'gauge M3 replaced', { 'pg.b2': 40.0, 'pg.m3': 30.0 }],
    ])
  })
})
