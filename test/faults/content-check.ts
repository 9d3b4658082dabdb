import { batchContentHash } from '../../cloud/store/content-hash.ts'
import { encodeValue } from '../../cloud/store/sqlite/values.ts'
import type { DataBatch } from '../../shared/wire/messages.ts'
import type { Sample } from '../../shared/wire/sample.ts'
import type { JournalBatch } from './journal.ts'
import type { StoredRow } from '../util/stored-samples.ts'
import type { StoredBatch, StoredBatchesReader } from './stored-reader.ts'

/**
 * What became of each batch the edge generated (its outbox journal), by the cloud's database
 * (read through a StoredBatchesReader: the same verdicts on SQLite and PostgreSQL):
 * - stored: (edge, outbox, seq) is stored with the SAME content hash (cloud/store/content-hash.ts,
 *   the hash the cloud keeps per key) and its stored samples are the journal's samples, one
 *   each (the cloud may only mark a sample `uncertain`/`clock_skew:…`, issue 14): read from the
 *   batch's historian block, or, once compacted, from its points' chunks at its samples' times;
 * - altered: stored with another hash, or rows that differ from the journal's samples;
 * - duplicated: more sample rows than the batch has (each extra row counts);
 * - in a gap: not stored, and inside a gap record (cap, age, disk_full), or held by an outbox file
 *   when it was deleted (`deletedWithOutbox`, noted by the campaign) that the cloud recorded as
 *   replaced (an `outbox_replaced` gap);
 * - held: still in the edge's outbox at the end (the drain should leave none);
 * - lost: none of these.
 */
export type Verdict = 'stored' | 'altered' | 'gap' | 'held' | 'lost'

export interface BatchCheck {
  batch: JournalBatch
  verdict: Verdict
  /** Extra sample rows stored for it (duplicates). */
  duplicates: number
  /** Why it is altered or lost (for the report). */
  why?: string
}

export interface ContentCheck {
  checks: BatchCheck[]
  /** Batches the cloud stored for this edge that the journal does not have (an edge killed between commit and journal line). */
  unjournaled: number
  /** Samples in `disk_full` gap records. */
  diskFullGapSamples: number
  /** The `disk_full` gap records themselves (seq and oldest source time identify one). */
  diskFullGaps: Array<{ fromSeq: number; from: number; samples: number }>
  gapRecords: Array<{ reason: string; receivedAt: number }>
}

interface Row {
  point: string
  ts: number
  value: number | null
  text: string | null
  quality: string
  reason: string | null
}

export async function checkContent(
  stored: StoredBatchesReader,
  edge: string,
  journal: readonly JournalBatch[],
  heldAtEnd: ReadonlySet<string>,
  deletedWithOutbox: ReadonlySet<string> = new Set(),
): Promise<ContentCheck> {
  const byKey = new Map((await stored.batches(edge)).map((b) => [`${b.outbox}:${b.seq}`, b]))
  const blocks = await stored.blockSamplesBySeq(edge)
  const gaps = await stored.gaps(edge)
  const replaced = await stored.outboxReplacements(edge)
  const replacedIds = new Set(replaced.map((r) => r.oldOutbox))
  const known = new Set<string>()
  const checks: BatchCheck[] = []
  for (const batch of journal) {
    const key = `${batch.outbox}:${batch.seq}`
    known.add(key)
    const s = byKey.get(key)
    if (s) {
      const rows = blocks.get(batch.seq) ?? (await sealedRows(stored, batch))
      checks.push(compare(batch, s, rows.map(toRow)))
      continue
    }
    if (heldAtEnd.has(key)) {
      checks.push({ batch, verdict: 'held', duplicates: 0 })
      continue
    }
    const withFile = deletedWithOutbox.has(key) && replacedIds.has(batch.outbox)
    if (withFile || gaps.some((g) => g.fromSeq <= batch.seq && batch.seq <= g.throughSeq))
      checks.push({ batch, verdict: 'gap', duplicates: 0 })
    else
      checks.push({
        batch,
        verdict: 'lost',
        duplicates: 0,
        why: `(outbox ${batch.outbox.slice(0, 8)}, seq ${batch.seq}) not stored, not held, in no gap`,
      })
  }
  const diskFull = gaps.filter((g) => g.reason === 'disk_full')
  return {
    checks,
    unjournaled: [...byKey.keys()].filter((k) => !known.has(k)).length,
    diskFullGapSamples: diskFull.reduce((n, g) => n + g.samples, 0),
    diskFullGaps: diskFull.map((g) => ({ fromSeq: g.fromSeq, from: g.fromTs, samples: g.samples })),
    gapRecords: [
      ...gaps.map((g) => ({ reason: g.reason, receivedAt: g.receivedAt })),
      ...replaced.map((r) => ({ reason: 'outbox_replaced', receivedAt: r.seenAt })),
    ],
  }
}

/** A compacted batch's samples: its points' chunk samples at the times the batch has for them. */
async function sealedRows(stored: StoredBatchesReader, batch: JournalBatch): Promise<StoredRow[]> {
  const times = new Map<string, Set<number>>()
  for (const s of batch.samples) times.set(s.point, (times.get(s.point) ?? new Set()).add(s.ts))
  const perPoint = await Promise.all(
    [...times].map(async ([point, at]) =>
      (await stored.chunkSamples(point, Math.min(...at), Math.max(...at))).filter((r) => at.has(r.ts)),
    ),
  )
  return perPoint.flat()
}

function toRow(r: StoredRow): Row {
  const v = encodeValue(r.value)
  return { point: r.point, ts: r.ts, value: v.value, text: v.text, quality: r.quality, reason: r.reason ?? null }
}

function compare(batch: JournalBatch, stored: StoredBatch, rows: readonly Row[]): BatchCheck {
  const hash = batchContentHash({
    samples: batch.samples,
    alarms: batch.alarms as DataBatch['alarms'],
    events: batch.events as DataBatch['events'],
  })
  const duplicates = Math.max(0, rows.length - batch.samples.length)
  if (stored.hash !== hash)
    return {
      batch,
      verdict: 'altered',
      duplicates,
      why: `seq ${batch.seq}: stored hash ${stored.hash?.slice(0, 12)} ≠ generated ${hash.slice(0, 12)}`,
    }
  // Each generated sample must match one stored row; rows left over are duplicates (counted above).
  const left = [...rows]
  for (const s of batch.samples) {
    const i = left.findIndex((r) => same(s, r))
    if (i < 0)
      return {
        batch,
        verdict: 'altered',
        duplicates,
        why: `seq ${batch.seq}: sample ${s.point}@${s.ts} not stored as generated`,
      }
    left.splice(i, 1)
  }
  return { batch, verdict: 'stored', duplicates }
}

/** The stored row is the sample; the cloud may only have marked its time (clock_skew, stored as uncertain). */
function same(s: Sample, r: Row): boolean {
  const v = encodeValue(s.value)
  if (r.point !== s.point || r.ts !== s.ts || r.value !== v.value || r.text !== v.text) return false
  if (r.reason?.startsWith('clock_skew')) return r.quality === 'uncertain' || r.quality === 'bad'
  return r.quality === s.quality && r.reason === (s.reason ?? null)
}
