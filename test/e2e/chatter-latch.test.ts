import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openLocalAlarms, type LocalAlarms } from '../../edge/alarms/local.ts'
import { createLogger } from '../../edge/log.ts'
import { systemClock } from '../../shared/clock.ts'
import type { Sample } from '../../shared/wire/sample.ts'
import { LEVEL, T0, batch, good, tempStore } from '../cloud/helpers.ts'

/**
 * The edge and the cloud latch a chattering alarm the same way (shared/rules/latch.ts): every
 * raise and recovery the edge sends with its batches matches the cloud's own episode, so a
 * chattering point is one alarm at both ends, never an "unmatched" edge alarm.
 */
let dir: string
let env: Awaited<ReturnType<typeof tempStore>>
let edge: LocalAlarms
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'parklink-chatter-latch-'))
  env = await tempStore()
  // TK-101 with the registry's limits (test/cloud/helpers.ts).
  edge = openLocalAlarms(
    { points: [{ id: LEVEL, class: 'mhs', limits: { hh: 10.5, h: 9.5, l: 2, ll: 1, deadband: 0.1 } }] },
    path.join(dir, 'alarms.db'),
    systemClock,
    createLogger('chatter-latch-test', 'silent'),
  )
})
afterEach(async () => {
  edge.close()
  await env.dispose()
  rmSync(dir, { recursive: true, force: true })
})

describe('chattering at the edge and the cloud', () => {
  it('is one latched episode at both ends, every edge alarm matched', async () => {
    // Across H and HH every 5 s for two minutes, then clear for 70 s.
    const values: Sample[] = [
      ...Array.from({ length: 25 }, (_, i) => good(LEVEL, T0 + i * 5_000, i % 2 === 0 ? 11 : 8)),
      ...Array.from({ length: 15 }, (_, i) => good(LEVEL, T0 + 125_000 + i * 5_000, 8)),
    ]
    let matched = 0
    let unmatched = 0
    for (const [i, s] of values.entries()) {
      const alarms = edge.process([s])
      const r = await env.store.ingestBatch(
        { ...batch(i + 1, [s]), ...(alarms.length > 0 ? { alarms } : {}) },
        { site: 'huaian', receivedAt: s.ts },
      )
      matched += r.edgeAlarms.matched
      unmatched += r.edgeAlarms.unmatched
    }
    expect(unmatched).toBe(0)
    // H and HH: two ordinary episodes each, then one latched episode each (raise + recover).
    expect(matched).toBe(2 * (2 * 2 + 2))
    const latched = (await env.store.listAlarms({ scope: 'all', state: 'all', limit: 100 })).filter(
      (a) => (a.repeats ?? 0) > 0,
    )
    expect(latched.map((a) => [a.kind, a.repeats, a.state, a.recoveredAt! - T0]).sort()).toEqual([
      ['H', 10, 'recovered', 185_000],
      ['HH', 10, 'recovered', 185_000],
    ])
    expect(edge.active()).toEqual([])
  })
})
