import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'
import type { AtRestCipher } from './cipher.ts'

/**
 * Column values of the edge's small stores (alarms.db, baselines.db) sealed at rest. A sealed
 * value is a BLOB; a clear one keeps its TEXT or REAL. SQLite keeps a BLOB as it is whatever the
 * column's declared type (https://sqlite.org/datatype3.html §3: a BLOB is never converted), so
 * a store written before encryption was turned on needs no migration and its rows stay readable;
 * new writes are sealed.
 */
export interface FieldSeal {
  /** JSON of `value`, sealed when a cipher is configured. */
  json(value: unknown, purpose: string): string | Buffer
  readJson<T>(stored: string | Buffer, purpose: string): T
  number(value: number, purpose: string): number | Buffer
  readNumber(stored: number | Buffer, purpose: string): number
}

const noKey = (purpose: string) =>
  new ParklinkError(ErrorCodes.AT_REST_KEY, `a ${purpose} value is sealed at rest, and no key is configured`, {
    hint: 'configure storage.encryption.keyFile with the key file the edge data was written with',
  })

export function fieldSeal(cipher: AtRestCipher | null): FieldSeal {
  const seal = (text: string, purpose: string) => cipher!.seal(Buffer.from(text, 'utf8'), purpose)
  const open = (sealed: Buffer, purpose: string) => {
    if (!cipher) throw noKey(purpose)
    return cipher.open(sealed, purpose).toString('utf8')
  }
  return {
    json: (value, purpose) => (cipher ? seal(JSON.stringify(value), purpose) : JSON.stringify(value)),
    readJson: <T>(stored: string | Buffer, purpose: string) =>
      JSON.parse(typeof stored === 'string' ? stored : open(stored, purpose)) as T,
    // String(…) keeps every double exactly (shortest round-trip form).
    number: (value, purpose) => (cipher ? seal(String(value), purpose) : value),
    readNumber: (stored, purpose) => (typeof stored === 'number' ? stored : Number(open(stored, purpose))),
  }
}
