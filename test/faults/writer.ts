import { openSqliteOutbox } from '../../edge/outbox/sqlite-outbox.ts'

/**
 * A child for the outbox kill loop: appends batches to the outbox named on the command line as
 * fast as it can, acks some, and prints "seq N" after each append RETURNS (durable from then
 * on). The parent kills it with SIGKILL at a random moment.
 */
const file = process.argv[2]
if (!file) throw new Error('usage: writer.ts OUTBOX_FILE')
const outbox = openSqliteOutbox({ file, maxBytes: 4 * 1024 * 1024, firstSeq: Date.now() })
let i = 0
for (;;) {
  const ts = Date.now()
  const seq = outbox.append(
    Array.from({ length: 200 }, (_, k) => ({
      point: `kill.p${k}`,
      ts: ts + k,
      value: i + k / 1000,
      quality: 'good' as const,
    })),
  )
  process.stdout.write(`seq ${seq}\n`)
  if (++i % 7 === 0) outbox.ackThrough(seq - 3)
}
