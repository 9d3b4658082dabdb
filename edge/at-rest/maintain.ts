import Database from 'better-sqlite3'
import * as fs from 'node:fs'
import path from 'node:path'
import { writePrivateFile } from '../../shared/private-files.ts'
import { SEALED_OVERHEAD_MIN, isSealed, sealedKeyId, type AtRestCipher } from './cipher.ts'
import { SEALED_SNAPSHOT_SUFFIX, SNAPSHOT_PURPOSE, STORES } from './check.ts'

/**
 * `parklink edge key status | reseal`: which key each stored record is sealed with, and sealing
 * the older ones again with the current key (after a rotation), so that an older key can be
 * retired. Safe beside a running agent: each store is changed in short SQLite transactions
 * (busy_timeout), a resealed record has the same length as before (SM4-CBC: the length follows
 * the clear text), and the agent never writes with an older key.
 */
export type KeyUse = Map<string, number>

const PAGE = 500

function eachSealed(
  dataDir: string,
  visit: (
    db: Database.Database,
    p: { table: string; column: string; purpose: string },
    rowid: number,
    v: Buffer,
  ) => void,
): void {
  for (const [name, probes] of Object.entries(STORES)) {
    const file = path.join(dataDir, name)
    if (!fs.existsSync(file)) continue
    const db = new Database(file, { fileMustExist: true })
    try {
      db.pragma('busy_timeout = 5000')
      const tables = new Set(
        (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
          (t) => t.name,
        ),
      )
      for (const p of probes.filter((x) => tables.has(x.table))) {
        const page = db.prepare(
          `SELECT rowid AS id, ${p.column} AS v FROM ${p.table} WHERE rowid > ? AND typeof(${p.column}) = 'blob' ORDER BY rowid LIMIT ${PAGE}`,
        )
        for (let after = 0; ; ) {
          const rows = page.all(after) as { id: number; v: Buffer }[]
          if (rows.length === 0) break
          db.transaction(() => {
            for (const r of rows) if (isSealed(r.v)) visit(db, p, r.id, r.v)
          })()
          after = rows.at(-1)!.id
        }
      }
    } finally {
      db.close()
    }
  }
}

function snapshotFiles(dataDir: string): string[] {
  const devices = path.join(dataDir, 'devices')
  if (!fs.existsSync(devices)) return []
  return fs.readdirSync(devices).flatMap((d) => {
    const dir = path.join(devices, d, 'snapshots')
    return fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((f) => f.endsWith(SEALED_SNAPSHOT_SUFFIX))
          .map((f) => path.join(dir, f))
      : []
  })
}

/** How many stored records each key seals (the outbox's key token counts as one). */
export function keyUse(dataDir: string): KeyUse {
  const use: KeyUse = new Map()
  const count = (v: Uint8Array) => use.set(sealedKeyId(v), (use.get(sealedKeyId(v)) ?? 0) + 1)
  eachSealed(dataDir, (_db, _p, _id, v) => count(v))
  for (const f of snapshotFiles(dataDir)) {
    const head = Buffer.alloc(SEALED_OVERHEAD_MIN)
    const fd = fs.openSync(f, 'r')
    const n = fs.readSync(fd, head, 0, head.length, 0)
    fs.closeSync(fd)
    if (isSealed(head.subarray(0, n))) count(head)
  }
  return use
}

/** Seals every record of an older key again with the current one; returns how many. */
export function reseal(dataDir: string, cipher: AtRestCipher): number {
  let n = 0
  eachSealed(dataDir, (db, p, id, v) => {
    if (sealedKeyId(v) === cipher.currentKeyId) return
    const again = cipher.seal(cipher.open(v, p.purpose), p.purpose)
    db.prepare(`UPDATE ${p.table} SET ${p.column} = ? WHERE rowid = ?`).run(again, id)
    n++
  })
  for (const f of snapshotFiles(dataDir)) {
    const v = fs.readFileSync(f)
    if (sealedKeyId(v) === cipher.currentKeyId) continue
    const tmp = `${f}.reseal`
    writePrivateFile(fs, tmp, cipher.seal(cipher.open(v, SNAPSHOT_PURPOSE), SNAPSHOT_PURPOSE))
    fs.renameSync(tmp, f)
    n++
  }
  return n
}
