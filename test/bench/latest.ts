import { pointView } from '../../cloud/api/routes/points.ts'
import type { Store } from '../../cloud/store/store.ts'
import { readings } from './outbox.ts'
import { quantile, result, times, type BenchResult } from './table.ts'

const POINTS = 10_000

/**
 * (15) `/points`: the latest value of 10 000 points, what GET /api/v1/points answers (the store's
 * listPoints and the route's view of each point, as JSON), p99 over `runs`. The points get their
 * latest values as an edge sends them: one read of all 10 000, in batches of 1 000, into `store`
 * (which may already hold other points: they are listed too, as /points would).
 */
export async function benchLatest(store: Store, engine: string, runs: number): Promise<BenchResult[]> {
  const t0 = Date.UTC(2026, 0, 1)
  for (let round = 0; round < POINTS / 1_000; round++)
    await store.ingestBatch(
      {
        v: 1,
        edge: 'bench-latest',
        session: 'bench',
        outbox: 'bench-latest',
        seq: round + 1,
        floor: round + 1,
        samples: readings(POINTS, 1_000, round, t0),
      },
      { site: 'bench', receivedAt: t0, inOrder: true },
    )
  const list = async () => JSON.stringify((await store.listPoints({ scope: 'all' })).map(pointView))
  const listed = (JSON.parse(await list()) as unknown[]).length
  if (listed < POINTS) throw new Error(`bench (${engine}): /points lists ${listed} points, not ${POINTS}`)
  return [
    result(
      `${engine}: /points latest of ${listed} points, p99 (store + JSON view)`,
      quantile(await times(list, runs), 0.99),
      'ms',
      { target: { op: '<=', value: 50 } },
    ),
  ]
}
