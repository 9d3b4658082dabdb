import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { main } from './cli.ts'
import { openAtRest } from '../edge/at-rest/open.ts'
import { openBaselineStore } from '../edge/derived/baselines.ts'
import { openSnapshotStore } from '../edge/drivers/onvif/snapshot-store.ts'
import { openSqliteOutbox } from '../edge/outbox/sqlite-outbox.ts'

/** `parklink edge key …` on a real data directory: init, rotate, status, reseal, retire, open-snapshot. */
let dir: string
let config: string
let out: string[]
let err: string[]
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'parklink-key-cli-'))
  config = path.join(dir, 'edge.yaml')
  writeFileSync(
    config,
    'site: park\nedge: e1\ndataDir: ./data\nuplink: { url: "mqtt://127.0.0.1:1883" }\ndevices: []\nstorage: { encryption: { keyFile: ./keys/at-rest.key } }\n',
  )
  out = []
  err = []
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')))
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')))
})
afterEach(() => {
  vi.restoreAllMocks()
  rmSync(dir, { recursive: true, force: true })
})

const run = (...args: string[]) => main(['node', 'parklink', 'edge', 'key', ...args, '--config', config])
const storage = () => ({ encryption: { keyFile: path.join(dir, 'keys', 'at-rest.key') } })
const dataDir = () => path.join(dir, 'data')

function write(base: number): void {
  const cipher = openAtRest(storage(), dataDir())!
  mkdirSync(dataDir(), { recursive: true })
  const outbox = openSqliteOutbox({ file: path.join(dataDir(), 'outbox.db'), cipher })
  outbox.append([{ point: 'p.1', ts: base, value: base, quality: 'good' }])
  outbox.close()
  const b = openBaselineStore(path.join(dataDir(), 'baselines.db'), cipher)
  b.fulfil(b.request('s', 'me', 'why', base).id, { 'p.1': base }, base)
  b.close()
  openSnapshotStore(path.join(dataDir(), 'devices', 'cam', 'snapshots'), 1e6, cipher).save(
    `x${base}`,
    base,
    Buffer.from([0xff, 0xd8, base, 0xff, 0xd9]),
  )
}

describe('parklink edge key', () => {
  it('init, rotate, reseal and retire: old records sealed again, the old key removed, all data still readable', async () => {
    expect(await run('init')).toBe(0)
    const keyFile = storage().encryption.keyFile
    expect(statSync(keyFile).mode & 0o777).toBe(0o600)
    const secret = JSON.parse(readFileSync(keyFile, 'utf8')).keys[0].secret as string
    expect(await run('init')).toBe(2) // never overwrites a key
    write(1)
    expect(await run('rotate')).toBe(0)
    write(2)
    const [current, old] = JSON.parse(readFileSync(keyFile, 'utf8')).keys.map((k: { id: string }) => k.id)
    out.length = 0
    expect(await run('status')).toBe(0)
    // Outbox: 2 batches + key token; baselines: 2; snapshots: 2. The token was re-sealed by the open after rotate.
    expect(out).toEqual([`${current} (current): 4 records`, `${old}: 3 records`])
    expect(await run('retire', old)).toBe(2)
    expect(err.join('\n')).toMatch(new RegExp(`key ${old} still seals 3 stored records`))
    expect(await run('reseal')).toBe(0)
    expect(out.at(-1)).toBe(`3 records sealed again with key ${current}`)
    expect(await run('retire', old)).toBe(0)
    const cipher = openAtRest(storage(), dataDir())!
    const outbox = openSqliteOutbox({ file: path.join(dataDir(), 'outbox.db'), cipher })
    expect(outbox.peek(0, 10).map((b) => b.samples[0]!.value)).toEqual([1, 2])
    outbox.close()
    const snap = openSnapshotStore(path.join(dataDir(), 'devices', 'cam', 'snapshots'), 1e6).files()[0]!
    const jpeg = path.join(dir, 'x.jpg')
    expect(await run('open-snapshot', path.join(dataDir(), 'devices', 'cam', 'snapshots', snap), '--out', jpeg)).toBe(0)
    expect(readFileSync(jpeg)).toEqual(Buffer.from([0xff, 0xd8, 1, 0xff, 0xd9]))
    // No command printed key material.
    expect([...out, ...err].join('\n')).not.toContain(secret)
  })

  it('`parklink edge run` with a wrong key: exit 2 (systemd does not restart), one error line with the code, no key printed', async () => {
    expect(await run('init')).toBe(0)
    write(1)
    const keyFile = storage().encryption.keyFile
    rmSync(keyFile)
    expect(await run('init')).toBe(0) // another key where the old one was: the typo this guards against
    const secret = JSON.parse(readFileSync(keyFile, 'utf8')).keys[0].secret as string
    err.length = 0
    expect(await main(['node', 'parklink', 'edge', 'run', '--config', config])).toBe(2)
    expect(err[0]).toMatch(
      /^error \[PL_AT_REST_KEY\]: wrong at-rest key for .*outbox\.db.*nothing was changed or moved\)$/,
    )
    expect(err[1]).toMatch(/^hint: configure storage\.encryption\.keyFile with the key file/)
    expect(err.join('\n')).not.toContain(secret)
  })
})
