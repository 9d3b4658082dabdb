import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { CameraSnapshotPart, Snapshot } from '../../shared/wire/camera.ts'

/**
 * Snapshot JPEGs under `{dataDir}/snapshots/{first two hex of the id}/{id}.jpg`; metadata is in
 * the database. Written before the batch's transaction commits the metadata, atomically
 * (temp file + rename) and idempotently (a resent batch rewrites the same bytes).
 *
 * A snapshot too large for one MQTT message arrives in parts (shared/wire/camera.ts): each part
 * is kept under `parts/{snapshot id}/{index}` until all `parts` are there; then they are joined,
 * checked like an inline one (size, SHA-256, JPEG marker) and written as the JPEG. Until then
 * the snapshot is incomplete and not linked; what its event said is kept as `pending.json`,
 * so the part that completes it (in whatever order the batches came) can link it then.
 */
export interface PendingSnapshot {
  snapshot: Omit<Snapshot, 'data'>
  camera: string
  event: string
}

export type Assembly =
  | { state: 'complete' }
  | { state: 'incomplete'; missing: number }
  | { state: 'refused'; reason: string }

export interface SnapshotFiles {
  /** Decodes, checks the hash and the JPEG marker, writes; returns a reason when the snapshot is refused. */
  write(s: Snapshot): string | null
  /** Keeps one part of a split snapshot (idempotent). */
  writePart(p: CameraSnapshotPart): void
  /** Joins the parts of a split snapshot when all are there (then they are removed). */
  assemble(s: Omit<Snapshot, 'data'>): Assembly
  /** The event of a split snapshot that arrived before all its parts (see above). */
  setPending(p: PendingSnapshot): void
  pending(snapshot: string): PendingSnapshot | null
  read(id: string): Buffer | null
}

const UUID = /^[0-9a-f-]{36}$/

function atomicWrite(target: string, body: Buffer | string): void {
  mkdirSync(path.dirname(target), { recursive: true })
  const tmp = `${target}.${process.pid}.tmp`
  writeFileSync(tmp, body, { mode: 0o600 })
  renameSync(tmp, target)
}

/** Why these bytes are not the announced JPEG, or null. */
function check(s: Omit<Snapshot, 'data'>, body: Buffer): string | null {
  if (body.length !== s.bytes) return `snapshot ${s.id}: ${body.length} bytes decoded, ${s.bytes} announced`
  if (createHash('sha256').update(body).digest('hex') !== s.sha256)
    return `snapshot ${s.id}: sha256 differs from the announced one (corrupted in transit?)`
  if (body[0] !== 0xff || body[1] !== 0xd8) return `snapshot ${s.id}: not a JPEG`
  return null
}

/**
 * Parts of a split snapshot whose set stays incomplete (its edge's outbox dropped a part, or the
 * edge was replaced) are removed once none of them was written for this long (issue 16: a bound
 * on what waits for reassembly; parts are files, so memory holds one snapshot at a time).
 */
export const INCOMPLETE_PARTS_MAX_AGE_MS = 24 * 3_600_000
/** Swept at most this often, on a part's arrival. */
const SWEEP_EVERY_MS = 10 * 60_000

export function openSnapshotFiles(dir: string, o: { now?: () => number; partsMaxAgeMs?: number } = {}): SnapshotFiles {
  const now = o.now ?? Date.now
  const maxAge = o.partsMaxAgeMs ?? INCOMPLETE_PARTS_MAX_AGE_MS
  let sweptAt = Number.NEGATIVE_INFINITY
  const file = (id: string) => path.join(dir, id.slice(0, 2), `${id}.jpg`)
  const partsDir = (id: string) => path.join(dir, 'parts', id)
  const sweep = () => {
    const t = now()
    if (t - sweptAt < SWEEP_EVERY_MS) return
    sweptAt = t
    sweepIncompleteParts(path.join(dir, 'parts'), t - maxAge)
  }
  const store = (s: Omit<Snapshot, 'data'>, body: Buffer): string | null => {
    const refused = check(s, body)
    if (refused) return refused
    if (!existsSync(file(s.id))) atomicWrite(file(s.id), body)
    return null
  }
  return {
    write: (s) => store(s, Buffer.from(s.data, 'base64')),
    writePart(p) {
      if (!UUID.test(p.snapshot)) return
      sweep()
      atomicWrite(path.join(partsDir(p.snapshot), String(p.index)), p.data)
    },
    assemble(s) {
      if (existsSync(file(s.id))) return { state: 'complete' }
      const count = s.parts ?? 1
      const texts: string[] = []
      for (let i = 0; i < count; i++) {
        const at = path.join(partsDir(s.id), String(i))
        if (existsSync(at)) texts.push(readFileSync(at, 'utf8'))
      }
      if (texts.length < count) return { state: 'incomplete', missing: count - texts.length }
      const refused = store(s, Buffer.concat(texts.map((t) => Buffer.from(t, 'base64'))))
      // Joined (or found wrong): the parts have done their work either way.
      rmSync(partsDir(s.id), { recursive: true, force: true })
      return refused ? { state: 'refused', reason: refused } : { state: 'complete' }
    },
    setPending: (p) => atomicWrite(path.join(partsDir(p.snapshot.id), 'pending.json'), JSON.stringify(p)),
    pending(snapshot) {
      if (!UUID.test(snapshot)) return null
      try {
        return JSON.parse(readFileSync(path.join(partsDir(snapshot), 'pending.json'), 'utf8')) as PendingSnapshot
      } catch {
        return null
      }
    },
    read(id) {
      if (!UUID.test(id)) return null
      try {
        return readFileSync(file(id))
      } catch {
        return null
      }
    },
  }
}

/** Removes the part sets none of whose files was written after `before` (ms). */
function sweepIncompleteParts(root: string, before: number): void {
  let sets: string[]
  try {
    sets = readdirSync(root)
  } catch {
    return
  }
  for (const id of sets) {
    const at = path.join(root, id)
    try {
      const newest = Math.max(...readdirSync(at).map((f) => statSync(path.join(at, f)).mtimeMs), statSync(at).mtimeMs)
      if (newest < before) rmSync(at, { recursive: true, force: true })
    } catch {
      // Joined and removed meanwhile.
    }
  }
}
