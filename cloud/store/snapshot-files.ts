import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs'
import path from 'node:path'
import type { Snapshot } from '../../shared/wire/camera.ts'

/**
 * Snapshot JPEGs under `{dataDir}/snapshots/{first two hex of the id}/{id}.jpg`; metadata is in
 * the database. Written before the batch's transaction commits the metadata, atomically
 * (temp file + rename) and idempotently (a resent batch rewrites the same bytes).
 */
export interface SnapshotFiles {
  /** Decodes, checks the hash and the JPEG marker, writes; returns a reason when the snapshot is refused. */
  write(s: Snapshot): string | null
  read(id: string): Buffer | null
}

export function openSnapshotFiles(dir: string): SnapshotFiles {
  const file = (id: string) => path.join(dir, id.slice(0, 2), `${id}.jpg`)
  return {
    write(s) {
      const body = Buffer.from(s.data, 'base64')
      if (body.length !== s.bytes) return `snapshot ${s.id}: ${body.length} bytes decoded, ${s.bytes} announced`
      if (createHash('sha256').update(body).digest('hex') !== s.sha256) return `snapshot ${s.id}: sha256 differs from the announced one (corrupted in transit?)`
      if (body[0] !== 0xff || body[1] !== 0xd8) return `snapshot ${s.id}: not a JPEG`
      const target = file(s.id)
      if (existsSync(target)) return null
      mkdirSync(path.dirname(target), { recursive: true })
      const tmp = `${target}.${process.pid}.tmp`
      writeFileSync(tmp, body)
      renameSync(tmp, target)
      return null
    },
    read(id) {
      if (!/^[0-9a-f-]{36}$/.test(id)) return null
      try {
        return readFileSync(file(id))
      } catch {
        return null
      }
    },
  }
}
