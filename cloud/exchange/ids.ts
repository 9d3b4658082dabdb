import { createHash } from 'node:crypto'

/**
 * UUIDs of exchange rows (§0.1: "UUID" keys): RFC 9562 version 5 of (namespace, name), so the
 * same parklink entity always gets the same id, across runs and after the exchange database
 * is rebuilt. Names are `{data set}:{parklink id}`.
 */
export function uuidV5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex')
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest()
  h[6] = (h[6]! & 0x0f) | 0x50
  h[8] = (h[8]! & 0x3f) | 0x80
  const x = h.subarray(0, 16).toString('hex')
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`
}

/** "YYYY-MM-DD HH:MM:SS" in the park's zone (the spec gives no format: a choice, exchange.timeZone). */
export function formatTime(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(ms)
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]))
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`
}

/** SHA-256 of a row's business columns (audit fields left out): unchanged content, no rewrite. */
export function rowHash(row: Record<string, unknown>, skip: readonly string[]): string {
  const keys = Object.keys(row)
    .filter((k) => !skip.includes(k))
    .sort()
  return createHash('sha256')
    .update(JSON.stringify(keys.map((k) => [k, row[k]])))
    .digest('hex')
}
