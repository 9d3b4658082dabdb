import type { Quality } from '../../shared/quality.ts'
import type { Value } from '../../shared/wire/sample.ts'
import type { StoredSample } from './store.ts'

/**
 * How a sample value maps to (value REAL, value_text TEXT), see sqlite/schema.ts and postgres/schema.ts: numbers in `value`;
 * booleans as 1/0 in `value` AND `true`/`false` in `value_text`; strings as JSON in `value_text`;
 * null as both NULL. `value_text`, when set, decides the type on the way back.
 */
export function encodeValue(v: Value): { value: number | null; text: string | null } {
  if (typeof v === 'number') return { value: v, text: null }
  if (typeof v === 'boolean') return { value: v ? 1 : 0, text: v ? 'true' : 'false' }
  if (typeof v === 'string') return { value: null, text: JSON.stringify(v) }
  return { value: null, text: null }
}

export function decodeValue(value: number | null, text: string | null): Value {
  if (text === null) return value
  try {
    const parsed: unknown = JSON.parse(text)
    if (typeof parsed === 'boolean' || typeof parsed === 'string') return parsed
  } catch {
    // Not written by encodeValue (a hand edit, a future format): show it as text.
  }
  return text
}

export function toStoredSample(row: {
  ts: number
  value: number | null
  text: string | null
  quality: string
  reason: string | null
}): StoredSample {
  const sample: StoredSample = { ts: row.ts, value: decodeValue(row.value, row.text), quality: row.quality as Quality }
  if (row.reason !== null) sample.reason = row.reason
  return sample
}
