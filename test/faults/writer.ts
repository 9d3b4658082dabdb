import { createAtRestCipher } from '../../edge/at-rest/cipher.ts'
import { readKeyFile } from '../../edge/at-rest/key-file.ts'
import { openSqliteOutbox } from '../../edge/outbox/sqlite-outbox.ts'

/**
 * A child for the outbox kill loop: appends batches to the outbox named on the command line as
 * fast as it can, acks some, and prints "seq N" after each append RETURNS (durable from then
 * on). The parent kills it with SIGKILL at a random moment. A second argument names an at-rest
 * key file: every payload is then sealed with SM4 (storage.encryption).
 */
const [file, keyFile] = process.argv.slice(2)
if (!file) throw new Error('usage: writer.ts OUTBOX_FILE [AT_REST_KEY_FILE]')
const outbox = openSqliteOutbox({
  file,
  maxBytes: 4 * 1024 * 1024,
  firstSeq: Date.now(),
  ...(keyFile ? { cipher: createAtRestCipher(readKeyFile(keyFile), keyFile) } : {}),
})
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
