import * as fs from 'node:fs'
import path from 'node:path'
import { ensurePrivateDir, writePrivateFile } from '../../../shared/private-files.ts'
import type { AtRestCipher } from '../../at-rest/cipher.ts'
import { SEALED_SNAPSHOT_SUFFIX, SNAPSHOT_PURPOSE } from '../../at-rest/check.ts'

/**
 * Snapshots kept on the edge's disk (`{dataDir}/devices/{camera}/snapshots/{ts}-{id}.jpg`), with
 * a bound on the bytes they take: beyond it the oldest files go. The copy that reaches the cloud
 * travels in the outbox; this one is for the technician on site and survives an outbox eviction.
 * With `cipher` (storage.encryption) a snapshot is sealed with SM4 as `{ts}-{id}.jpg.sm4`
 * (edge/at-rest/cipher.ts; `parklink edge key open-snapshot` gives the JPEG back). Files 0600,
 * the folder 0700 (brief §7).
 */
export interface SnapshotStore {
  save(id: string, ts: number, body: Uint8Array): string
  totalBytes(): number
  files(): string[]
}

const isSnapshot = (f: string) => f.endsWith('.jpg') || f.endsWith(SEALED_SNAPSHOT_SUFFIX)

export function openSnapshotStore(dir: string, keepBytes: number, cipher: AtRestCipher | null = null): SnapshotStore {
  ensurePrivateDir(fs, dir)
  // Names start with a zero-padded time, so name order is age order.
  const list = () => fs.readdirSync(dir).filter(isSnapshot).sort()
  const files = list().map((f) => ({ f, size: fs.statSync(path.join(dir, f)).size }))
  let total = files.reduce((n, x) => n + x.size, 0)
  return {
    save(id, ts, body) {
      const name = `${String(ts).padStart(15, '0')}-${id}${cipher ? SEALED_SNAPSHOT_SUFFIX : '.jpg'}`
      const stored = cipher ? cipher.seal(body, SNAPSHOT_PURPOSE) : body
      const tmp = path.join(dir, `.${name}.tmp`)
      writePrivateFile(fs, tmp, stored)
      fs.renameSync(tmp, path.join(dir, name))
      files.push({ f: name, size: stored.length })
      files.sort((a, b) => (a.f < b.f ? -1 : a.f > b.f ? 1 : 0))
      total += stored.length
      while (total > keepBytes && files.length > 1) {
        const oldest = files.shift()!
        total -= oldest.size
        try {
          fs.unlinkSync(path.join(dir, oldest.f))
        } catch {
          // Already gone: the total is right either way.
        }
      }
      return path.join(dir, name)
    },
    totalBytes: () => total,
    files: () => files.map((x) => x.f),
  }
}
