import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { createAtRestCipher, type AtRestCipher } from '../../edge/at-rest/cipher.ts'
import { openSqliteOutbox } from '../../edge/outbox/sqlite-outbox.ts'
import { readings, timed } from './outbox.ts'
import { result, type BenchResult } from './table.ts'

/**
 * (issue 20) The outbox with every payload sealed with SM4 at rest (SM4-CBC + HMAC-SM3) against
 * the same outbox in clear, in the same run: durable appends (batches of 500, synchronous=FULL)
 * and reads (peek of 100 batches, as the uplink drains a backlog). Ratio = sealed / clear.
 */
function rates(dir: string, name: string, seconds: number, cipher: AtRestCipher | undefined) {
  const t0 = Date.UTC(2026, 11, 1)
  const outbox = openSqliteOutbox({ file: path.join(dir, `at-rest-${name}.db`), ...(cipher ? { cipher } : {}) })
  try {
    const append = timed(seconds, (r) => (outbox.append(readings(10_000, 500, r, t0)), 500))
    const { lastSeq } = outbox.stats()
    const first = lastSeq - outbox.stats().batches
    const read = timed(seconds, (r) => {
      const page = outbox.peek(first + ((r * 100) % Math.max(1, outbox.stats().batches - 100)), 100)
      return page.reduce((n, b) => n + b.samples.length, 0)
    })
    return { append: append.perSecond, read: read.perSecond }
  } finally {
    outbox.close()
  }
}

export function benchAtRest(dir: string, seconds: number): BenchResult[] {
  const clear = rates(dir, 'clear', seconds, undefined)
  const sealed = rates(dir, 'sm4', seconds, createAtRestCipher([{ id: '00000001', secret: randomBytes(32) }], 'bench'))
  return [
    result(
      'outbox append sealed with SM4 at rest, batches of 500 (base: the same in clear)',
      sealed.append,
      'samples/s',
      {
        baseline: clear.append,
      },
    ),
    result('outbox read (peek) sealed with SM4 at rest (base: the same in clear)', sealed.read, 'samples/s', {
      baseline: clear.read,
    }),
  ]
}
