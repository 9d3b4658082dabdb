import { createHash } from 'node:crypto'
import type { DataBatch } from '../../shared/wire/messages.ts'

/**
 * SHA-256 (hex) of what a batch says, without what an edge legitimately changes when it sends
 * the same batch again: `session` (a new connection), `floor` (its outbox moved on), `historical`
 * (the batch aged into backlog) and `gaps` (gap records ride with whichever batch carries them,
 * and grow). What is left is what the outbox stored at append: samples, alarms, camera events.
 *
 * Keys are sorted, so the same content hashes the same whatever order an encoder wrote them in.
 */
export function batchContentHash(batch: Pick<DataBatch, 'samples' | 'alarms' | 'events'>): string {
  return createHash('sha256')
    .update(JSON.stringify([batch.samples, batch.alarms ?? [], batch.events ?? []], sortedKeys))
    .digest('hex')
}

function sortedKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
  const record = value as Record<string, unknown>
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((k) => [k, record[k]]),
  )
}
