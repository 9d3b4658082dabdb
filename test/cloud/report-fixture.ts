import Database from 'better-sqlite3'
import type { Registry } from '../../cloud/config.ts'
import { encodeChunk, type ChunkSample } from '../../cloud/store/historian/codec.ts'
import { CHUNK_WIDTH_MS } from '../../cloud/store/historian/compact.ts'
import type { DisposalFacts, Verdict } from '../../cloud/alarms/workflow.ts'

/**
 * Fixture data for the reports (issue 18): a park registry of any size and alarms, comm-loss
 * episodes and samples written straight into a store's database file (a second connection; the
 * store opens it in WAL mode), deterministic for a seed.
 */
export function parkRegistry(enterprises: number, pointsPerEnterprise: number): Registry {
  const es = Array.from({ length: enterprises }, (_, i) => ({
    id: `e${String(i + 1).padStart(2, '0')}`,
    name: `化工企业${i + 1}`,
  }))
  return {
    enterprises: es,
    points: es.flatMap((e) =>
      Array.from({ length: pointsPerEnterprise }, (_, j) => ({
        id: `${e.id}.p${String(j + 1).padStart(4, '0')}`,
        name: `${e.name}点位${j + 1}`,
        unit: 'MPa',
        enterprise: e.id,
        class: j % 5 === 0 ? ('mhs' as const) : ('general' as const),
        limitsFromSource: false,
        limits: { h: 1, hh: 2, deadband: 0 },
      })),
    ),
    edges: [],
    claimUnknownPoints: 'open',
  }
}

export interface FixtureAlarm {
  point: string
  kind?: string
  priority: string
  raisedAt: number
  recoveredAt?: number | null
  closedAt?: number | null
  verdict?: Verdict
  respondedAt?: number
}

function disposal(a: FixtureAlarm): DisposalFacts {
  const responded = a.respondedAt ?? null
  return {
    ack: responded === null ? null : { by: 'op', at: responded },
    triage: a.verdict && responded !== null ? { verdict: a.verdict, by: 'op', at: responded, note: '' } : null,
    feedback: null,
    closed: a.closedAt ? { by: 'op', at: a.closedAt, note: '' } : null,
  }
}

/** Inserts the alarms in one transaction. */
export function insertAlarms(dbFile: string, alarms: readonly FixtureAlarm[]): void {
  const db = new Database(dbFile)
  try {
    const insert =
      db.prepare(`INSERT INTO alarms (point, kind, priority, raised_at, value, limit_value, recovered_at, recovered_value, state, disposal, closed_at)
      VALUES (@point, @kind, @priority, @raisedAt, 1.5, 1, @recoveredAt, @recoveredValue, @state, @disposal, @closedAt)`)
    db.transaction(() => {
      for (const a of alarms) {
        const recoveredAt = a.recoveredAt ?? null
        insert.run({
          point: a.point,
          kind: a.kind ?? 'H',
          priority: a.priority,
          raisedAt: a.raisedAt,
          recoveredAt,
          recoveredValue: recoveredAt === null ? null : 0.5,
          state: recoveredAt === null ? 'active' : 'recovered',
          disposal: JSON.stringify(disposal(a)),
          closedAt: a.closedAt ?? null,
        })
      }
    })()
  } finally {
    db.close()
  }
}

/** Good samples every `stepMs` for each point over [from, to), skipping where `skip` says: written as the historian's sealed hourly chunks (issue 15), as a compaction leaves them. */
export function insertSamples(
  dbFile: string,
  points: readonly string[],
  range: { from: number; to: number },
  stepMs: number,
  skipEvery = 0,
): void {
  const db = new Database(dbFile)
  try {
    const insert = db.prepare(
      'INSERT INTO sample_chunks (point, hour, from_ts, to_ts, count, data) VALUES (?, ?, ?, ?, ?, ?)',
    )
    db.transaction(() => {
      for (const point of points) {
        const hours = new Map<number, ChunkSample[]>()
        for (let ts = range.from, i = 0; ts < range.to; ts += stepMs, i++) {
          if (skipEvery !== 0 && i % skipEvery === 0) continue
          const hour = ts - (ts % CHUNK_WIDTH_MS)
          const list = hours.get(hour) ?? []
          list.push({ ts, value: 0.5, quality: 'good' })
          hours.set(hour, list)
        }
        for (const [hour, list] of hours)
          insert.run(point, hour, list[0]!.ts, list.at(-1)!.ts, list.length, encodeChunk(list))
      }
    })()
  } finally {
    db.close()
  }
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** A busy park's alarms over [from, to): `perDay` raises a day spread over the points, with triage, responses, closures and comm-loss episodes. */
export function parkAlarms(
  points: readonly string[],
  range: { from: number; to: number },
  perDay: number,
  seed = 1,
): FixtureAlarm[] {
  const rnd = random(seed)
  const count = Math.round(((range.to - range.from) / 86_400_000) * perDay)
  const priorities = ['A', 'B', 'B', 'C', 'C', 'C', 'D']
  const verdicts: Verdict[] = ['valid', 'invalid', 'invalid', 'false']
  // At most one active alarm per (point, kind) (the alarms_one_active index).
  const active = new Set<string>()
  return Array.from({ length: count }, () => {
    const raisedAt = range.from + Math.floor(rnd() * (range.to - range.from))
    const stale = rnd() < 0.15
    const point = points[Math.floor(rnd() * points.length)]!
    const respondedAt = rnd() < 0.9 ? raisedAt + Math.floor(rnd() * 900_000) : undefined
    const key = `${point}|${stale}`
    const recoveredAt = rnd() < 0.9 || active.has(key) ? raisedAt + Math.floor(rnd() * 3_600_000) : null
    if (recoveredAt === null) active.add(key)
    const closedAt =
      respondedAt !== undefined && recoveredAt !== null && rnd() < 0.85
        ? recoveredAt + Math.floor(rnd() * 3_600_000)
        : null
    return {
      point,
      kind: stale ? 'STALE' : 'H',
      priority: stale ? 'D' : priorities[Math.floor(rnd() * priorities.length)]!,
      raisedAt,
      recoveredAt,
      closedAt,
      ...(respondedAt === undefined ? {} : { respondedAt, verdict: verdicts[Math.floor(rnd() * verdicts.length)]! }),
    }
  })
}
