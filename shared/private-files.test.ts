import * as fs from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../cloud/store/sqlite/db.ts'
import { openBaselineStore } from '../edge/derived/baselines.ts'
import { openSqliteOutbox } from '../edge/outbox/sqlite-outbox.ts'
import { goodSample } from './wire/sample.ts'
import { ensurePrivateDatabase, ensurePrivateDir, writePrivateFile } from './private-files.ts'

/** Brief §7: the edge's outbox and state and the cloud database are the service user's only, whatever the umask. */
describe('private files under a permissive umask (000)', () => {
  let dir: string
  let previous: number
  const mode = (f: string) => fs.statSync(f).mode & 0o777
  beforeAll(() => {
    previous = process.umask(0)
    dir = fs.mkdtempSync(path.join(tmpdir(), 'parklink-private-'))
  })
  afterAll(() => {
    process.umask(previous)
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('makes directories 0700 (also an existing one) and files 0600 before a byte is written', () => {
    const d = path.join(dir, 'a/b')
    ensurePrivateDir(fs, d)
    expect(mode(d)).toBe(0o700)
    fs.chmodSync(d, 0o755)
    ensurePrivateDir(fs, d)
    expect(mode(d)).toBe(0o700)
    const f = path.join(d, 'k')
    fs.writeFileSync(f, 'old', { mode: 0o644 })
    writePrivateFile(fs, f, 'secret')
    expect([mode(f), fs.readFileSync(f, 'utf8')]).toEqual([0o600, 'secret'])
    expect(() => writePrivateFile(fs, f, 'x', true)).toThrow(/EEXIST/)
  })

  it('keeps the outbox, a state store and the cloud database with their WAL files 0600', () => {
    const outboxFile = path.join(dir, 'outbox.db')
    const outbox = openSqliteOutbox({ file: outboxFile })
    outbox.append([goodSample('a.b', 1, 1)])
    const baselines = openBaselineStore(path.join(dir, 'baselines.db'))
    const cloudFile = path.join(dir, 'cloud', 'cloud.db')
    const cloud = openDatabase(cloudFile)
    try {
      for (const f of [
        outboxFile,
        `${outboxFile}-wal`,
        `${outboxFile}-shm`,
        path.join(dir, 'baselines.db'),
        cloudFile,
        `${cloudFile}-wal`,
      ])
        expect([f, mode(f)]).toEqual([f, 0o600])
      expect(mode(path.dirname(cloudFile))).toBe(0o700)
    } finally {
      outbox.close()
      baselines.close()
      cloud.$client.close()
    }
  })

  it('chmods the WAL of a database made before this rule', () => {
    const f = path.join(dir, 'old.db')
    for (const s of ['', '-wal']) fs.writeFileSync(f + s, '', { mode: 0o644 })
    ensurePrivateDatabase(fs, f)
    expect([mode(f), mode(`${f}-wal`)]).toEqual([0o600, 0o600])
  })
})
