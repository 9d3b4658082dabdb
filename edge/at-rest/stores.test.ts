import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { inflateRawSync } from 'node:zlib'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { systemClock } from '../../shared/clock.ts'
import { ErrorCodes } from '../../shared/errors.ts'
import type { Sample } from '../../shared/wire/sample.ts'
import { openLocalAlarms } from '../alarms/local.ts'
import { startEdgeAgent } from '../agent.ts'
import { EdgeConfigSchema, resolveEdgeConfig } from '../config.ts'
import { openBaselineStore } from '../derived/baselines.ts'
import { openSnapshotStore } from '../drivers/onvif/snapshot-store.ts'
import { createLogger } from '../log.ts'
import { openSqliteOutbox } from '../outbox/sqlite-outbox.ts'
import { sealedKeyId, type AtRestCipher } from './cipher.ts'
import { initKeyFile, rotateKeyFile } from './key-file.ts'
import { openAtRest } from './open.ts'

/**
 * Issue 20, at rest: what the edge stores is unreadable without its key, a wrong or missing key
 * refuses the start and leaves every file as it was, and a rotation keeps old records readable.
 */
const log = createLogger('at-rest-test', 'silent')
const T0 = 1_760_000_000_000
// Values nothing else in the files could contain by chance.
const SECRET_NUMBER = 7321.123456789
const SECRET_TEXT = '罐区-液位-ZQX9'
const POINT = 'shilian.tk101.level'
const samples = (n: number, base = 0): Sample[] => [
  { point: POINT, ts: T0 + base, value: SECRET_NUMBER + base, quality: 'good' },
  { point: 'shilian.p101.mode', ts: T0 + base, value: SECRET_TEXT, quality: 'good' },
  ...Array.from({ length: n }, (_, i) => ({ point: `p.${i}`, ts: T0 + base + i, value: i, quality: 'good' as const })),
]
const alarmsConfig = { points: [{ id: POINT, class: 'general' as const, limits: { hh: 100, deadband: 0 } }] }

let dir: string
let dataDir: string
let keyFile: string
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'parklink-at-rest-'))
  dataDir = path.join(dir, 'data')
  mkdirSync(dataDir)
  keyFile = path.join(dir, 'at-rest.key')
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const storage = (file = keyFile) => ({ encryption: { keyFile: file } })

/** Writes into every store the edge keeps: outbox, alarms (raised: value and limit kept), baselines, a snapshot. */
function fillStores(cipher: AtRestCipher | null, base = 0): void {
  const outbox = openSqliteOutbox({ file: path.join(dataDir, 'outbox.db'), ...(cipher ? { cipher } : {}) })
  outbox.append(samples(20, base))
  outbox.append(samples(5, base + 100))
  outbox.close()
  const alarms = openLocalAlarms(alarmsConfig, path.join(dataDir, 'alarms.db'), systemClock, log, cipher)
  alarms.process([{ point: POINT, ts: T0 + base, value: SECRET_NUMBER + base, quality: 'good' }])
  alarms.close()
  const baselines = openBaselineStore(path.join(dataDir, 'baselines.db'), cipher)
  const b = baselines.request('seg-1', 'tester', 'commissioning', T0)
  baselines.fulfil(b.id, { [POINT]: SECRET_NUMBER + base }, T0 + 1)
  baselines.close()
  const snaps = openSnapshotStore(path.join(dataDir, 'devices', 'cam-1', 'snapshots'), 1_000_000, cipher)
  const jpeg = Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    Buffer.from(` JPEG ${SECRET_TEXT} `),
    Buffer.from([0xff, 0xd9]),
  ])
  snaps.save(`s${base}`, T0 + base, jpeg)
}

/** Every file under the data directory with its bytes. */
function tree(root: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>()
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = path.join(d, f)
      if (statSync(p).isDirectory()) walk(p)
      else out.set(path.relative(root, p), readFileSync(p))
    }
  }
  walk(root)
  return out
}

const needles = () => {
  const le = Buffer.alloc(8)
  le.writeDoubleLE(SECRET_NUMBER)
  const be = Buffer.alloc(8)
  be.writeDoubleBE(SECRET_NUMBER)
  return [Buffer.from(String(SECRET_NUMBER)), Buffer.from(SECRET_TEXT), le, be]
}

/** What an intruder sees: the raw bytes of every file, and every outbox payload inflated where it inflates. */
function readableWithoutKey(): string[] {
  const found: string[] = []
  for (const [name, bytes] of tree(dataDir))
    for (const n of needles()) if (bytes.includes(n)) found.push(`${name}: ${n.toString('hex')}`)
  const db = new Database(path.join(dataDir, 'outbox.db'), { readonly: true })
  for (const { payload } of db.prepare('SELECT payload FROM batches').all() as { payload: Buffer }[]) {
    let text = ''
    try {
      text = inflateRawSync(payload).toString('utf8')
    } catch {
      // Not a deflate stream (sealed): nothing to read.
    }
    if (text.includes(String(SECRET_NUMBER)) || text.includes(SECRET_TEXT)) found.push('outbox payload (inflated)')
  }
  db.close()
  return found
}

describe('edge data at rest', () => {
  it('without encryption the values are readable from the files (the check below can fail)', () => {
    fillStores(null)
    expect(readableWithoutKey()).toEqual(
      expect.arrayContaining([
        'outbox payload (inflated)',
        expect.stringMatching(/^alarms\.db/),
        expect.stringMatching(/^baselines\.db/),
        expect.stringMatching(/^devices\/cam-1\/snapshots\/.*\.jpg:/),
      ]),
    )
  })

  it('sealed with SM4, no file holds a sample value, and everything reads back with the key', () => {
    initKeyFile(keyFile, T0)
    const cipher = openAtRest(storage(), dataDir)!
    fillStores(cipher)
    expect(readableWithoutKey()).toEqual([])
    // With the key: the same data.
    const again = openAtRest(storage(), dataDir)!
    const outbox = openSqliteOutbox({ file: path.join(dataDir, 'outbox.db'), cipher: again })
    expect(outbox.peek(0, 10).map((b) => b.samples)).toEqual([samples(20), samples(5, 100)])
    outbox.close()
    const alarms = openLocalAlarms(alarmsConfig, path.join(dataDir, 'alarms.db'), systemClock, log, again)
    expect(alarms.active()).toEqual([expect.objectContaining({ point: POINT, value: SECRET_NUMBER, limit: 100 })])
    alarms.close()
    const baselines = openBaselineStore(path.join(dataDir, 'baselines.db'), again)
    expect(baselines.history()[0]?.values).toEqual({ [POINT]: SECRET_NUMBER })
    baselines.close()
  })

  describe('the agent refuses to start, changing nothing', () => {
    const start = (extra: object) =>
      startEdgeAgent(
        resolveEdgeConfig(
          EdgeConfigSchema.parse({
            site: 'park',
            edge: 'e1',
            dataDir,
            uplink: { url: 'mqtt://127.0.0.1:1' },
            devices: [],
            ...extra,
          }),
          dir,
        ),
        { log },
      )
    const refusesUnchanged = async (extra: object, message: RegExp) => {
      const before = tree(dataDir)
      await expect(start(extra)).rejects.toMatchObject({ code: ErrorCodes.AT_REST_KEY, message })
      const after = tree(dataDir)
      expect([...after.keys()].sort()).toEqual([...before.keys()].sort())
      for (const [name, bytes] of before) expect(after.get(name)?.equals(bytes), name).toBe(true)
      expect(readdirSync(dataDir).some((f) => f.includes('corrupt'))).toBe(false)
    }

    beforeEach(() => {
      initKeyFile(keyFile, T0)
      fillStores(openAtRest(storage(), dataDir))
    })

    it('with another key file', async () => {
      const other = path.join(dir, 'other.key')
      initKeyFile(other, T0)
      await refusesUnchanged({ storage: storage(other) }, /wrong at-rest key for .*outbox\.db.*does not hold/)
    })

    it('with a key of the same id but another secret (the tag fails)', async () => {
      const text = readFileSync(keyFile, 'utf8')
      const forged = path.join(dir, 'forged.key')
      initKeyFile(forged, T0)
      const id = JSON.parse(text).keys[0].id as string
      const f = JSON.parse(readFileSync(forged, 'utf8'))
      f.keys[0].id = id
      rmSync(forged)
      const { writePrivateFile } = await import('../../shared/private-files.ts')
      writePrivateFile(await import('node:fs'), forged, JSON.stringify(f))
      await refusesUnchanged({ storage: storage(forged) }, /does not verify under key/)
    })

    it('with the key file missing', async () => {
      await refusesUnchanged({ storage: storage(path.join(dir, 'gone.key')) }, /gone\.key: missing/)
    })

    it('with no key configured for sealed data', async () => {
      await refusesUnchanged({}, /holds data sealed at rest, and storage.encryption is not configured/)
    })

    it('with the outbox emptied (all delivered): the key token still tells a wrong key', async () => {
      const outbox = openSqliteOutbox({
        file: path.join(dataDir, 'outbox.db'),
        cipher: openAtRest(storage(), dataDir)!,
      })
      outbox.ackThrough(outbox.stats().lastSeq)
      outbox.close()
      rmSync(path.join(dataDir, 'alarms.db'))
      rmSync(path.join(dataDir, 'baselines.db'))
      rmSync(path.join(dataDir, 'devices'), { recursive: true })
      const other = path.join(dir, 'other.key')
      initKeyFile(other, T0)
      await refusesUnchanged({ storage: storage(other) }, /outbox\.key-token record was sealed with key/)
    })
  })

  it('rotation: written with key 1, rotated, written with key 2; all of it reads and delivers', () => {
    const first = initKeyFile(keyFile, T0)
    fillStores(openAtRest(storage(), dataDir))
    const { id: second } = rotateKeyFile(keyFile, T0 + 1)
    const rotated = openAtRest(storage(), dataDir)!
    expect(rotated.currentKeyId).toBe(second)
    fillStores(rotated, 1_000)

    const db = new Database(path.join(dataDir, 'outbox.db'), { readonly: true })
    const ids = (db.prepare('SELECT payload FROM batches ORDER BY seq').all() as { payload: Buffer }[]).map((r) =>
      sealedKeyId(r.payload),
    )
    db.close()
    expect(ids).toEqual([first, first, second, second])

    const outbox = openSqliteOutbox({ file: path.join(dataDir, 'outbox.db'), cipher: rotated })
    const all = outbox.peek(0, 10)
    expect(all.map((b) => b.samples)).toEqual([samples(20), samples(5, 100), samples(20, 1_000), samples(5, 1_100)])
    outbox.ackThrough(all.at(-1)!.seq)
    expect(outbox.stats()).toMatchObject({ batches: 0, samples: 0 })
    outbox.close()
    const baselines = openBaselineStore(path.join(dataDir, 'baselines.db'), rotated)
    expect(baselines.history().map((b) => b.values)).toEqual([
      { [POINT]: SECRET_NUMBER },
      { [POINT]: SECRET_NUMBER + 1_000 },
    ])
    baselines.close()
    expect(existsSync(path.join(dataDir, 'outbox.db'))).toBe(true)
  })
})
