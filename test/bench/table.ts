import { writeFileSync } from 'node:fs'

/** One benchmark figure: `ratio` is value / baseline (null without a baseline); `met` compares value with target. */
export interface BenchResult {
  name: string
  value: number
  unit: string
  baseline: number | null
  ratio: number | null
  target: string | null
  met: boolean | null
}

export function result(
  name: string,
  value: number,
  unit: string,
  opts: { baseline?: number; target?: { op: '>=' | '<='; value: number } } = {},
): BenchResult {
  const baseline = opts.baseline ?? null
  const t = opts.target
  return {
    name,
    value: round(value),
    unit,
    baseline: baseline === null ? null : round(baseline),
    ratio: baseline === null || baseline === 0 ? null : round(value / baseline),
    target: t ? `${t.op} ${t.value}` : null,
    met: t ? (t.op === '>=' ? value >= t.value : value <= t.value) : null,
  }
}

const round = (x: number) => (Math.abs(x) >= 100 ? Math.round(x) : Math.round(x * 1000) / 1000)

export function printTable(results: readonly BenchResult[]): string {
  const head = ['name', 'value', 'unit', 'baseline', 'ratio', 'target', 'met']
  const rows = results.map((r) => [
    r.name,
    String(r.value),
    r.unit,
    r.baseline === null ? '' : String(r.baseline),
    r.ratio === null ? '' : String(r.ratio),
    r.target ?? '',
    r.met === null ? '' : r.met ? 'yes' : 'NO',
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 1 || i === 3 || i === 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ')
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

export function writeResults(file: string, results: readonly BenchResult[]): void {
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`)
}

/** Nearest-rank quantile (q in 0…1) of a list of figures; NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!
}

/** `runs` timings (ms) of `fn` after one warm-up run (statements prepared, pages cached). */
export async function times(fn: () => Promise<unknown>, runs: number): Promise<number[]> {
  await fn()
  const out: number[] = []
  for (let k = 0; k < runs; k++) {
    const t = performance.now()
    await fn()
    out.push(performance.now() - t)
  }
  return out
}
