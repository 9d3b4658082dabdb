import { randomUUID } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync, utimesSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { INCOMPLETE_PARTS_MAX_AGE_MS, openSnapshotFiles } from './snapshot-files.ts'

/** Parts of a snapshot whose set never completes do not wait forever (issue 16). */
describe('snapshot parts: incomplete sets are removed after a day without a new part', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'parklink-parts-'))
  afterEach(() => rmSync(dir, { recursive: true, force: true }))
  const part = (snapshot: string, index: number) => ({
    id: randomUUID(),
    camera: 'cam-1',
    ts: 1,
    type: 'part' as const,
    snapshot,
    index,
    count: 3,
    data: 'AAAA',
  })

  it('removes a stale set on a later part, keeps a recent one', () => {
    let now = Date.now()
    const files = openSnapshotFiles(dir, { now: () => now })
    const stale = randomUUID()
    const fresh = randomUUID()
    files.writePart(part(stale, 0))
    const old = (now - INCOMPLETE_PARTS_MAX_AGE_MS - 60_000) / 1000
    for (const f of [path.join(dir, 'parts', stale, '0'), path.join(dir, 'parts', stale)]) utimesSync(f, old, old)
    now += 11 * 60_000 // past the sweep interval
    files.writePart(part(fresh, 0))
    expect(existsSync(path.join(dir, 'parts', stale))).toBe(false)
    expect(existsSync(path.join(dir, 'parts', fresh, '0'))).toBe(true)
    expect(
      files.assemble({ id: fresh, ts: 1, contentType: 'image/jpeg', bytes: 9, sha256: '0'.repeat(64), parts: 3 }),
    ).toEqual({
      state: 'incomplete',
      missing: 2,
    })
  })
})
