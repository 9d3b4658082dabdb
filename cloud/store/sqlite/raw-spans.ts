import { partsOfWindows, windowsOf } from '../historian/spans.ts'
import type { Part, Plan, Span } from '../../telemetry/rollup-plan.ts'
import type { SampleReader } from './sample-reads.ts'

/** The samples of the partial minutes a rollup answer needs, as parts of the plan's buckets. */
export type RawSpanReads = (point: string, plan: Plan, spans: readonly Span[]) => Part[]

/** The partial minutes of a rollup answer read from the historian, a window per chunk hour (historian/spans.ts). */
export function createRawSpanReads(reader: SampleReader): RawSpanReads {
  return (point, plan, spans) =>
    spans.length === 0
      ? []
      : partsOfWindows(
          plan,
          windowsOf(spans).map((window) => ({ window, samples: reader.read(point, window.from, window.to - 1) })),
        )
}
