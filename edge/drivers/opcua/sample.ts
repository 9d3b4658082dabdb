import { DataType, type DataValue, type Variant } from 'node-opcua'
import { QualityReasons } from '../../../shared/quality.ts'
import { badSample, type Sample, type Value } from '../../../shared/wire/sample.ts'
import { qualityOf } from './status.ts'

/**
 * An OPC UA DataValue → the sample the edge sends: quality from the StatusCode (Part 4 §7.39),
 * time from the source (else the server, else `now`), value from scalars only. Shared by the
 * driver and `parklink edge read point`, so the tool shows exactly what the agent would send.
 * `at`: the sample's time when not the source's (a refresh read is stamped with the server's time).
 */
export function toSample(point: string, dv: DataValue, now: number, at?: number): Sample {
  const ts = at ?? (dv.sourceTimestamp ?? dv.serverTimestamp ?? null)?.getTime() ?? now
  const q = qualityOf(dv.statusCode)
  if (q.quality === 'bad') return badSample(point, ts, q.reason!)
  const value = toValue(dv.value)
  if (value === undefined)
    return badSample(point, ts, `${QualityReasons.DECODE}:unsupported OPC UA data type ${DataType[dv.value.dataType]}`)
  return q.quality === 'good'
    ? { point, ts, value, quality: 'good' }
    : { point, ts, value, quality: 'uncertain', reason: q.reason! }
}

/** Scalars only: numbers, booleans, strings (≤ 256), dates (epoch ms). */
export function toValue(v: Variant): Value | undefined {
  const x: unknown = v.value
  if (x === null || x === undefined) return null
  if (typeof x === 'number') return Number.isFinite(x) ? x : undefined
  if (typeof x === 'boolean') return x
  if (typeof x === 'string') return x.slice(0, 256)
  if (x instanceof Date) return x.getTime()
  // Int64/UInt64 arrive as [high, low] words.
  if ((v.dataType === DataType.Int64 || v.dataType === DataType.UInt64) && Array.isArray(x) && x.length === 2) {
    const n = (x[0] as number) * 2 ** 32 + (x[1] as number)
    return Number.isSafeInteger(n) ? n : undefined
  }
  return undefined
}
