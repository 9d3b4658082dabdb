import { mkdirSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'

/**
 * Snapshots kept on the edge's disk (`{dataDir}/devices/{camera}/snapshots/{ts}-{id}.jpg`), with
 * a bound on the bytes they take: beyond it the oldest files go. The copy that reaches the cloud
 * travels in the outbox; this one is for the technician on site and survives an outbox eviction.
 */
export interface SnapshotStore {
  save(id: string, ts: number, body: Uint8Array): string
  totalBytes(): number
  files(): string[]
}

export function openSnapshotStore(dir: string, keepBytes: number): SnapshotStore {
  mkdirSync(dir, { recursive: true })
  // Names start with a zero-padded time, so name order is age order.
  const list = () =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.jpg'))
      .sort()
  const files = list().map((f) => ({ f, size: statSync(path.join(dir, f)).size }))
  let total = files.reduce((n, x) => n + x.size, 0)
  return {
    save(id, ts, body) {
      const name = `${String(ts).padStart(15, '0')}-${id}.jpg`
      const tmp = path.join(dir, `.${name}.tmp`)
      writeFileSync(tmp, body)
      renameSync(tmp, path.join(dir, name))
      files.push({ f: name, size: body.length })
      files.sort((a, b) => (a.f < b.f ? -1 : a.f > b.f ? 1 : 0))
      total += body.length
      while (total > keepBytes && files.length > 1) {
        const oldest = files.shift()!
        total -= oldest.size
        try {
          unlinkSync(path.join(dir, oldest.f))
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
