import { statSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { encode } from '../../shared/wire/codec.ts'
import type { DataBatch } from '../../shared/wire/messages.ts'
import type { Sample } from '../../shared/wire/sample.ts'
import { openSqliteOutbox } from '../../edge/outbox/sqlite-outbox.ts'
import { result, type BenchResult } from './table.ts'

/** One sample of background point number `p` (realistic id and value; `phase` moves the value). */
export function reading(p: number, ts: number, phase: number): Sample {
  return {
    point: `shilian.u${Math.floor(p / 100)}.p${p % 100}`,
    ts,
    value: Math.round((50 + Math.sin(p + phase) * 20) * 1000) / 1000,
    quality: 'good',
  }
}

/** Samples as the agent writes them: one read of `points` points, realistic ids and values. */
export function readings(points: number, batchSize: number, round: number, t0: number): Sample[] {
  return Array.from({ length: batchSize }, (_, i) =>
    reading((round * batchSize + i) % points, t0 + round * 1000, round / 10),
  )
}

/** Appends for about `seconds`, returns samples/s. */
export function timed(seconds: number, step: (round: number) => number): { perSecond: number; samples: number } {
  const start = process.hrtime.bigint()
  let samples = 0
  let round = 0
  for (;;) {
    samples += step(round++)
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9
    if (elapsed >= seconds) return { perSecond: samples / elapsed, samples }
  }
}

/**
 * (1) samples/s into the durable outbox (synchronous=FULL: on disk when append returns) against
 * raw better-sqlite3 in the same run: one row per sample, one transaction per batch, WAL with
 * the same synchronous=FULL. An fsync per commit dominates on most disks, so the figure
 * depends on the batch size: 500 (uplink.batchSize's default) and 5 000.
 */
function appendRate(dir: string, seconds: number, batchSize: number, t0: number) {
  const raw = new Database(path.join(dir, `raw-${batchSize}.db`))
  raw.pragma('journal_mode = WAL')
  raw.pragma('synchronous = FULL')
  raw.exec('CREATE TABLE samples (point TEXT NOT NULL, ts INTEGER NOT NULL, value REAL, quality TEXT NOT NULL)')
  const insert = raw.prepare('INSERT INTO samples (point, ts, value, quality) VALUES (?, ?, ?, ?)')
  const insertAll = raw.transaction((list: Sample[]) => {
    for (const s of list) insert.run(s.point, s.ts, s.value as number, s.quality)
  })
  const baseline = timed(seconds, (r) => (insertAll(readings(10_000, batchSize, r, t0)), batchSize))
  raw.close()
  const file = path.join(dir, `outbox-${batchSize}.db`)
  const outbox = openSqliteOutbox({ file })
  const measured = timed(seconds, (r) => (outbox.append(readings(10_000, batchSize, r, t0)), batchSize))
  return { outbox, file, baseline: baseline.perSecond, measured: measured.perSecond }
}

/** (1) append rates, and (5) bytes per sample in the outbox and on the wire. */
export function benchOutbox(dir: string, seconds: number): BenchResult[] {
  const t0 = Date.UTC(2026, 11, 1)
  const results: BenchResult[] = []
  for (const batchSize of [500, 5_000]) {
    const run = appendRate(dir, seconds, batchSize, t0)
    results.push(
      result(
        `outbox append, durable, batches of ${batchSize} (base: raw better-sqlite3 rows)`,
        run.measured,
        'samples/s',
        { baseline: run.baseline, target: { op: '>=', value: 500_000 } },
      ),
    )
    if (batchSize !== 500) {
      run.outbox.close()
      continue
    }
    const stats = run.outbox.stats()
    const [first] = run.outbox.peek(0, 1)
    run.outbox.close()
    const fileBytes = statSync(run.file).size + (statSync(`${run.file}-wal`, { throwIfNoEntry: false })?.size ?? 0)
    const message: DataBatch = {
      v: 1,
      edge: 'shilian-01',
      session: '00000000-0000-0000-0000-000000000000',
      outbox: run.outbox.id,
      seq: first!.seq,
      floor: first!.seq,
      samples: first!.samples,
    }
    results.push(
      result('outbox payload per sample', stats.bytes / stats.samples, 'bytes'),
      result('outbox file per sample (incl. WAL)', fileBytes / stats.samples, 'bytes'),
      result('wire (MQTT payload) per sample', encode(message).length / message.samples.length, 'bytes'),
    )
  }
  return results
}
