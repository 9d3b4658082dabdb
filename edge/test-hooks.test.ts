import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Clock } from '../shared/clock.ts'
import { openSqliteOutbox } from './outbox/sqlite-outbox.ts'
import { CLOCK_OFFSET_ENV, OUTBOX_JOURNAL_ENV, edgeTestHooks, offsetClock } from './test-hooks.ts'

describe("the fault campaign's edge hooks (edge/test-hooks.ts)", () => {
  let dir: string
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'parklink-hooks-'))))
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('does nothing without its variables, and refuses them unless NODE_ENV=test', () => {
    expect(edgeTestHooks({ NODE_ENV: 'production' })).toEqual({})
    expect(() => edgeTestHooks({ [CLOCK_OFFSET_ENV]: path.join(dir, 'offset') })).toThrow(
      expect.objectContaining({ code: 'PL_CONFIG_INVALID' }),
    )
    expect(() => edgeTestHooks({ NODE_ENV: 'production', [OUTBOX_JOURNAL_ENV]: path.join(dir, 'j') })).toThrow(
      expect.objectContaining({ code: 'PL_CONFIG_INVALID' }),
    )
    expect(edgeTestHooks({ NODE_ENV: 'test', [CLOCK_OFFSET_ENV]: path.join(dir, 'offset') }).clock).toBeDefined()
  })

  it('steps the clock by the offset in the file, re-read when the file changes', () => {
    let t = 1_000_000
    const base: Clock = {
      now: () => t,
      setTimeout: () => {
        throw new Error('unused')
      },
      clearTimeout: () => {},
    }
    const file = path.join(dir, 'offset')
    const clock = offsetClock(file, base)
    expect(clock.now()).toBe(1_000_000) // no file: no offset
    writeFileSync(file, '-600000')
    t += 200
    expect(clock.now()).toBe(1_000_200 - 600_000)
    writeFileSync(file, '0')
    utimesSync(file, new Date(), new Date(Date.now() + 5_000)) // a new mtime even within the file system's granularity
    t += 200
    expect(clock.now()).toBe(1_000_400)
  })

  it('journals each returned append with its outbox id and seq, and each refused one', () => {
    const journal = path.join(dir, 'journal.jsonl')
    const tap = edgeTestHooks({ NODE_ENV: 'test', [OUTBOX_JOURNAL_ENV]: journal }).tapOutbox!
    const outbox = tap(openSqliteOutbox({ file: path.join(dir, 'outbox.db'), maxBytes: 4 * 1024 * 1024, firstSeq: 10 }))
    const sample = { point: 'p', ts: 5, value: 1, quality: 'good' as const }
    const seq = outbox.append([sample])
    const seqs = outbox.appendMany([{ samples: [sample] }, { samples: [sample, sample] }])
    outbox.close()
    expect(() => outbox.append([sample])).toThrow()
    const lines = readFileSync(journal, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines.map((l) => l.seq ?? null)).toEqual([seq, ...seqs, null])
    expect(lines[0]).toMatchObject({ outbox: outbox.id, samples: [sample], alarms: [], events: [] })
    expect(lines[3]).toMatchObject({ refused: 1, code: 'PL_OUTBOX_FAILED' })
  })
})
