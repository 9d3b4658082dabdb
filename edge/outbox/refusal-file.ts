import * as fs from 'node:fs'
import { writePrivateFile } from '../../shared/private-files.ts'
import type { PendingRefusal, RefusalFile } from './disk-guard.ts'

/**
 * The samples refused on a full disk and not yet in the gap ledger, kept beside the outbox in
 * `{outbox}.refused` (issue 14: refused samples reach the cloud as a `disk_full` gap). Without it
 * an edge killed before the disk had room again forgot them, and the cloud never heard of that
 * gap. Written on every refusal (a few hundred bytes: the reserve given up on a full disk leaves
 * room for it), read back at start, removed once the gap record is committed. Point ids, counts
 * and times only: no measured value, so it stays in clear like the gap ledger.
 */
export function createRefusalFile(outboxFile: string): RefusalFile {
  const file = `${outboxFile}.refused`
  return {
    load() {
      let text: string
      try {
        text = fs.readFileSync(file, 'utf8')
      } catch {
        return null
      }
      try {
        const j = JSON.parse(text) as Omit<PendingRefusal, 'points'> & { points: string[] }
        if (!(j.samples > 0) || !Array.isArray(j.points)) return null
        return { ...j, reason: 'disk_full', points: new Set(j.points) }
      } catch {
        // A torn write (killed mid-rename cannot happen; a hand edit can): the count is lost, not the edge.
        return null
      }
    },
    save(p) {
      try {
        const tmp = `${file}.tmp`
        writePrivateFile(fs, tmp, JSON.stringify({ ...p, points: [...p.points] }))
        fs.renameSync(tmp, file)
      } catch {
        // No room even for this: the count stays in memory, as before.
      }
    },
    clear() {
      fs.rmSync(file, { force: true })
    },
  }
}
