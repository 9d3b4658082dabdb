import type { z } from 'zod'
import { Ack, DataBatch, Status } from './messages.ts'
import { SnapshotRequest } from './camera.ts'

/**
 * The one place that knows the byte format of messages (UTF-8 JSON today). Decoding never
 * throws: a bad payload is a value the caller counts and logs.
 */
export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string }

export function encode(message: DataBatch | Status | Ack | SnapshotRequest): Buffer {
  return Buffer.from(JSON.stringify(message), 'utf8')
}

function decodeWith<S extends z.ZodType>(schema: S, payload: Uint8Array | string): Decoded<z.infer<S>> {
  let json: unknown
  try {
    json = JSON.parse(typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8'))
  } catch (err) {
    return { ok: false, error: `not JSON: ${(err as Error).message}` }
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.length ? issue.path.join('.') : '(root)'
    return { ok: false, error: `${where}: ${issue?.message ?? 'invalid'}` }
  }
  return { ok: true, value: parsed.data }
}

export const decodeData = (p: Uint8Array | string) => decodeWith(DataBatch, p)
export const decodeStatus = (p: Uint8Array | string) => decodeWith(Status, p)
export const decodeAck = (p: Uint8Array | string) => decodeWith(Ack, p)
export const decodeSnapshotRequest = (p: Uint8Array | string) => decodeWith(SnapshotRequest, p)
