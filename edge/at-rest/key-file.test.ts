import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ErrorCodes } from '../../shared/errors.ts'
import { initKeyFile, readKeyFile, retireKey, rotateKeyFile } from './key-file.ts'

let dir: string
let file: string
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'parklink-keyfile-'))
  file = path.join(dir, 'keys', 'at-rest.key')
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const refused = (what: RegExp) =>
  expect.objectContaining({ code: ErrorCodes.AT_REST_KEY, message: expect.stringMatching(what) })

describe('at-rest key file', () => {
  it('init writes one 32-byte key, 0600 in a 0700 folder whatever the umask, and never overwrites', () => {
    const previous = process.umask(0)
    try {
      const id = initKeyFile(file, 0)
      expect(statSync(file).mode & 0o777).toBe(0o600)
      expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700)
      const keys = readKeyFile(file)
      expect(keys.map((k) => k.id)).toEqual([id])
      expect(keys[0]!.secret.length).toBe(32)
      const before = readFileSync(file)
      expect(() => initKeyFile(file, 0)).toThrow(refused(/already exists/))
      expect(readFileSync(file)).toEqual(before)
    } finally {
      process.umask(previous)
    }
  })

  it('refuses a missing file, a file others may read, and a file that is not a key file (without echoing it)', () => {
    expect(() => readKeyFile(file)).toThrow(refused(/missing/))
    initKeyFile(file, 0)
    chmodSync(file, 0o644)
    expect(() => readKeyFile(file)).toThrow(refused(/mode 0644 lets others read it/))
    writeFileSync(file, '{"format":"parklink-at-rest-keys/1","keys":[{"id":"zz","secret":"c2VjcmV0","created":"x"}]}', {
      mode: 0o600,
    })
    chmodSync(file, 0o600)
    let message = ''
    try {
      readKeyFile(file)
    } catch (err) {
      message = `${(err as Error).message} ${String((err as Error).cause)}`
    }
    expect(message).toMatch(/not a parklink key file/)
    expect(message).not.toContain('c2VjcmV0')
  })

  it('rotate puts a new key in front and keeps the old ones; retire removes an old key only', () => {
    const first = initKeyFile(file, 0)
    const { id, kept } = rotateKeyFile(file, 1)
    expect(kept).toEqual([first])
    expect(readKeyFile(file).map((k) => k.id)).toEqual([id, first])
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(() => retireKey(file, id)).toThrow(refused(/is the current key/))
    retireKey(file, first)
    expect(readKeyFile(file).map((k) => k.id)).toEqual([id])
  })
})
