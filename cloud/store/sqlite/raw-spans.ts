import { partsOfSpans, spanRead } from '../historian/spans.ts'
import type { Part, Plan, Span } from '../../telemetry/rollup-plan.ts'
import type { SampleReader } from './sample-reads.ts'

/** The samples of the partial minutes a rollup answer needs, as parts of the plan's buckets. */
export type RawSpanReads = (point: string, plan: Plan, spans: readonly Span[]) => Part[]

/** The partial minutes of a rollup answer read from the historian: their chunk hours in one statement (historian/spans.ts). */
export function createRawSpanReads(reader: SampleReader): RawSpanReads {
  return (point, plan, spans) => {
    if (spans.length === 0) return []
    const read = spanRead(spans)
    return partsOfSpans(plan, reader.readHours(point, read.hours, read))
  }
}
