import type Database from 'better-sqlite3'
import { mergePoints, type GapRecord } from '../../shared/wire/gap.ts'

/**
 * The outbox's ledger of dropped data (gap records, shared/wire/gap.ts), in the outbox file so
 * it survives restarts and commits with the eviction that caused it.
 *
 * A record travels in a data batch: `carried_by` names the batch that carries its newest
 * version. The cloud's ack of that batch marks it delivered. A record that grows (the next
 * eviction continues the run) or whose carrier was itself evicted is carried again by the next
 * batch written. Delivered records are kept (the newest KEEP_DELIVERED) to answer a resend
 * request for a range that is gone.
 */
export const GAPS_SCHEMA = `
  CREATE TABLE IF NOT EXISTS gaps (
    id          INTEGER PRIMARY KEY,
    reason      TEXT NOT NULL,
    from_seq    INTEGER NOT NULL,
    through_seq INTEGER NOT NULL,
    batches     INTEGER NOT NULL,
    samples     INTEGER NOT NULL,
    from_ts     INTEGER NOT NULL,
    to_ts       INTEGER NOT NULL,
    points      TEXT NOT NULL,
    at          INTEGER NOT NULL,
    carried_by  INTEGER,
    delivered   INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX IF NOT EXISTS gaps_carried_by ON gaps (carried_by);
`

const KEEP_DELIVERED = 1000

/** What one eviction dropped (a contiguous run of the oldest batches). */
export interface Dropped {
  reason: GapRecord['reason']
  fromSeq: number
  throughSeq: number
  batches: number
  samples: number
  /** Source times of the oldest and newest sample dropped. */
  from: number
  to: number
  points: Set<string>
}

interface Row {
  id: number
  reason: GapRecord['reason']
  from_seq: number
  through_seq: number
  batches: number
  samples: number
  from_ts: number
  to_ts: number
  points: string
  at: number
  carried_by: number | null
}

const toRecord = (r: Row): GapRecord => ({
  reason: r.reason,
  fromSeq: r.from_seq,
  throughSeq: r.through_seq,
  batches: r.batches,
  samples: r.samples,
  from: r.from_ts,
  to: r.to_ts,
  points: JSON.parse(r.points) as GapRecord['points'],
  at: r.at,
})

export function createGapLedger(db: Database.Database) {
  const q = {
    newest: db.prepare('SELECT * FROM gaps ORDER BY id DESC LIMIT 1'),
    insert: db.prepare(
      'INSERT INTO gaps (reason, from_seq, through_seq, batches, samples, from_ts, to_ts, points, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    extend: db.prepare(
      'UPDATE gaps SET through_seq = ?, batches = ?, samples = ?, from_ts = ?, to_ts = ?, points = ?, at = ?, carried_by = NULL, delivered = 0 WHERE id = ?',
    ),
    carry: db.prepare(
      'UPDATE gaps SET carried_by = ? WHERE delivered = 0 AND (carried_by IS NULL OR carried_by NOT IN (SELECT seq FROM batches))',
    ),
    carriedIn: db.prepare('SELECT * FROM gaps WHERE carried_by BETWEEN ? AND ? ORDER BY id'),
    delivered: db.prepare('UPDATE gaps SET delivered = 1 WHERE carried_by <= ?'),
    prune: db.prepare(`DELETE FROM gaps WHERE delivered = 1 AND id <= (SELECT MAX(id) FROM gaps) - ${KEEP_DELIVERED}`),
    overlapping: db.prepare('SELECT * FROM gaps WHERE from_seq <= ? AND through_seq >= ? ORDER BY from_seq'),
    undelivered: db.prepare('SELECT COUNT(*) AS n FROM gaps WHERE delivered = 0'),
  }
  return {
    /** Records a drop: continues the newest record when it is the same run, else starts one. Call inside the eviction's transaction. */
    note(d: Dropped, at: number): void {
      const last = q.newest.get() as Row | undefined
      if (last && last.reason === d.reason && last.through_seq + 1 === d.fromSeq) {
        const points = mergePoints(JSON.parse(last.points) as GapRecord['points'], d.points)
        q.extend.run(
          d.throughSeq,
          last.batches + d.batches,
          last.samples + d.samples,
          Math.min(last.from_ts, d.from),
          Math.max(last.to_ts, d.to),
          JSON.stringify(points),
          at,
          last.id,
        )
      } else {
        q.insert.run(
          d.reason,
          d.fromSeq,
          d.throughSeq,
          d.batches,
          d.samples,
          d.from,
          d.to,
          JSON.stringify(mergePoints([], d.points)),
          at,
        )
      }
    },
    /** Undelivered records without a living carrier ride with batch `seq`. */
    carry(seq: number): void {
      q.carry.run(seq)
    },
    /** Records carried by batches in [fromSeq, toSeq], by carrier. */
    carriedBy(fromSeq: number, toSeq: number): Map<number, GapRecord[]> {
      const out = new Map<number, GapRecord[]>()
      for (const r of q.carriedIn.all(fromSeq, toSeq) as Row[]) {
        const list = out.get(r.carried_by!) ?? []
        list.push(toRecord(r))
        out.set(r.carried_by!, list)
      }
      return out
    },
    /** The cloud stored every batch through `seq`: what they carried is delivered. */
    acked(seq: number): void {
      q.delivered.run(seq)
      q.prune.run()
    },
    /** Records that overlap the seq range [fromSeq, toSeq] (to answer a resend request). */
    overlapping(fromSeq: number, toSeq: number): GapRecord[] {
      return (q.overlapping.all(toSeq, fromSeq) as Row[]).map(toRecord)
    },
    undelivered(): number {
      return (q.undelivered.get() as { n: number }).n
    },
  }
}
