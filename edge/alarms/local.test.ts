import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { systemClock } from '../../shared/clock.ts'
import type { Sample } from '../../shared/wire/sample.ts'
import { createLogger } from '../log.ts'
import { openLocalAlarms, type LocalAlarms, type LocalAlarmsConfig } from './local.ts'

/** The edge latches a chattering alarm the same way the cloud does (shared/rules/latch.ts, issue 14). */
const log = createLogger('local-alarms-test', 'silent')
const T0 = Date.UTC(2026, 0, 5, 8)
const RATE = 'shilian.ss.rate'
const config: LocalAlarmsConfig = { points: [{ id: RATE, class: 'general', limits: { hh: 10.5, deadband: 0.1 } }] }
const s = (ts: number, value: number, point = RATE): Sample => ({ point, ts: T0 + ts, value, quality: 'good' })

let dir: string
let alarms: LocalAlarms
const file = () => path.join(dir, 'alarms.db')
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'parklink-local-alarms-'))
  alarms = openLocalAlarms(config, file(), systemClock, log)
})
afterEach(() => {
  alarms.close()
  rmSync(dir, { recursive: true, force: true })
})

/** One sample per batch, as the pipeline sends them: across HH every 5 s for two minutes. */
const feed = (list: Sample[]) => list.flatMap((x) => alarms.process([x]).map((e) => `${e.type}@${(e.ts - T0) / 1000}`))
const chattering = () => Array.from({ length: 25 }, (_, i) => s(i * 5_000, i % 2 === 0 ? 11 : 10))

describe('local alarms: chattering', () => {
  it('holds one latched alarm with a count, and recovers it once clear for clearHoldS', () => {
    // Only raises and recoveries travel to the cloud; the repetitions are counted locally.
    expect(feed(chattering())).toEqual(['raise@0', 'recover@5', 'raise@10', 'recover@15', 'raise@20'])
    expect(alarms.active()).toEqual([
      expect.objectContaining({ point: RATE, kind: 'HH', raisedAt: T0 + 20_000, repeats: 10 }),
    ])
    expect(feed(Array.from({ length: 12 }, (_, i) => s(125_000 + i * 5_000, 10)))).toEqual([])
    expect(alarms.active()).toHaveLength(1)
    expect(feed([s(185_000, 10)])).toEqual(['recover@185'])
    expect(alarms.active()).toEqual([])
  })

  it('keeps the latch across a restart', () => {
    feed(chattering())
    alarms.close()
    alarms = openLocalAlarms(config, file(), systemClock, log)
    expect(feed([s(125_000, 10), s(130_000, 11)])).toEqual([])
    expect(alarms.active()[0]).toMatchObject({ repeats: 11 })
  })

  it('a point that does not chatter raises and recovers as before', () => {
    expect(feed([s(0, 10), s(5_000, 11), s(10_000, 10), s(100_000, 11), s(105_000, 10)])).toEqual([
      'raise@5',
      'recover@10',
      'raise@100',
      'recover@105',
    ])
  })

  it('opens a store made before latching (no repeats column)', () => {
    alarms.close()
    rmSync(file(), { force: true })
    const old = new Database(file())
    old.exec(
      'CREATE TABLE active (point TEXT NOT NULL, kind TEXT NOT NULL, priority TEXT NOT NULL, raised_at INTEGER NOT NULL, value REAL NOT NULL, limit_value REAL NOT NULL, PRIMARY KEY (point, kind))',
    )
    old.prepare('INSERT INTO active VALUES (?, ?, ?, ?, ?, ?)').run(RATE, 'HH', 'C', T0, 11, 10.5)
    old.close()
    alarms = openLocalAlarms(config, file(), systemClock, log)
    expect(alarms.active()).toEqual([expect.objectContaining({ point: RATE, repeats: 0 })])
  })
})
