/**
 * A strict reader of the Prometheus text exposition format 0.0.4 (prom-client writes it but has
 * no parser). Anything a Prometheus server would refuse, or that breaks the format's rules,
 * throws with the line number: a malformed line, a bad metric or label name, a label value with
 * an unknown escape, a duplicate label or series, HELP or TYPE given twice or after the family's
 * samples, a sample of no declared family, a family split in two, a negative counter, a
 * histogram whose buckets are not cumulative or do not end in +Inf = _count.
 */
export interface PromSample {
  name: string
  labels: Record<string, string>
  value: number
}
export interface PromFamily {
  name: string
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped'
  help: string | null
  samples: PromSample[]
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped'])
const SUFFIXES: Record<PromFamily['type'], readonly string[]> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
}

export function parsePrometheusText(text: string): Map<string, PromFamily> {
  if (text !== '' && !text.endsWith('\n')) throw new Error('the exposition must end with a newline')
  const families = new Map<string, PromFamily>()
  const closed = new Set<string>()
  const series = new Set<string>()
  const typed = new Set<string>()
  let current: string | null = null
  const lines = text.split('\n').slice(0, -1)
  lines.forEach((line, i) => {
    const at = `line ${i + 1} "${line}"`
    const fail = (why: string): never => {
      throw new Error(`${at}: ${why}`)
    }
    if (line.trim() === '') return
    const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line)
    if (meta) {
      const [, kind, name, rest = ''] = meta
      if (!NAME.test(name!)) fail('bad metric name')
      if (closed.has(name!)) fail('family continued after another family')
      if (current !== null && current !== name) closed.add(current)
      current = name!
      const family = families.get(name!) ?? { name: name!, type: 'untyped', help: null, samples: [] }
      if (family.samples.length > 0) fail(`${kind} after the family's samples`)
      if (kind === 'HELP') {
        if (family.help !== null) fail('HELP given twice')
        if (/\\[^\\n]/.test(rest.replace(/\\\\/g, ''))) fail('HELP has an escape other than \\\\ and \\n')
        family.help = rest
      } else {
        if (typed.has(name!)) fail('TYPE given twice')
        if (!TYPES.has(rest)) fail(`unknown TYPE ${rest}`)
        family.type = rest as PromFamily['type']
        typed.add(name!)
      }
      families.set(name!, family)
      return
    }
    if (line.startsWith('#')) return // a comment
    const sample = parseSample(line, fail)
    const family = familyOf(sample.name, families) ?? fail('sample of no declared family (no TYPE before it)')
    if (!typed.has(family.name)) fail(`sample of ${family.name}, which has no TYPE`)
    if (family.name !== current) fail(`sample of ${family.name} outside its family's block`)
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`
    if (series.has(key)) fail('duplicate series')
    series.add(key)
    if (family.type === 'counter' && !(sample.value >= 0)) fail('a counter must be a number ≥ 0')
    if (sample.name.endsWith('_bucket') && family.type === 'histogram' && sample.labels.le === undefined)
      fail('histogram bucket without le')
    family.samples.push(sample)
  })
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f)
  return families
}

function parseSample(line: string, fail: (why: string) => never): PromSample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)(?: (-?\d+))?$/.exec(line)
  if (!m) return fail('not "name{labels} value [timestamp]"')
  const labels = m[2] === undefined ? {} : parseLabels(m[2], fail)
  return { name: m[1]!, labels, value: parseValue(m[3]!, fail) }
}

function parseLabels(block: string, fail: (why: string) => never): Record<string, string> {
  const labels: Record<string, string> = {}
  let rest = block.slice(1, -1)
  while (rest.length > 0) {
    const m = /^([^=,"]*)="((?:[^"\\]|\\.)*)"(,?)/.exec(rest)
    if (!m) return fail(`bad labels at "${rest}"`)
    const [all, name, raw, comma] = m
    if (!LABEL.test(name!) || name!.startsWith('__')) fail(`bad label name "${name}"`)
    if (name! in labels) fail(`duplicate label ${name}`)
    if (/\\[^\\"n]/.test(raw!.replace(/\\\\/g, ''))) fail(`label ${name} has an unknown escape`)
    labels[name!] = raw!.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c))
    rest = rest.slice(all!.length)
    if (comma === '' && rest.length > 0) fail('labels not separated by a comma')
  }
  return labels
}

/** As Prometheus reads a value (Go's ParseFloat): NaN and ±Inf(inity) in any case (prom-client writes "Nan"). */
function parseValue(raw: string, fail: (why: string) => never): number {
  if (/^nan$/i.test(raw)) return Number.NaN
  const inf = /^([-+]?)inf(inity)?$/i.exec(raw)
  if (inf) return inf[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) fail(`bad value ${raw}`)
  return Number(raw)
}

function familyOf(sample: string, families: Map<string, PromFamily>): PromFamily | undefined {
  for (const [name, f] of families) if (SUFFIXES[f.type].some((suffix) => `${name}${suffix}` === sample)) return f
  return undefined
}

function checkHistogram(f: PromFamily): void {
  const groups = new Map<string, PromSample[]>()
  for (const s of f.samples) {
    const { le: _le, ...rest } = s.labels
    const key = JSON.stringify(Object.entries(rest).sort())
    groups.set(key, [...(groups.get(key) ?? []), s])
  }
  for (const [key, samples] of groups) {
    const buckets = samples.filter((s) => s.name === `${f.name}_bucket`)
    const count = samples.find((s) => s.name === `${f.name}_count`)
    if (!count || !samples.some((s) => s.name === `${f.name}_sum`))
      throw new Error(`${f.name}${key}: _sum or _count missing`)
    const last = buckets[buckets.length - 1]
    if (last?.labels.le !== '+Inf' || last.value !== count.value)
      throw new Error(`${f.name}${key}: the last bucket must be le="+Inf" and equal _count`)
    const le = (b: PromSample) => (b.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(b.labels.le))
    for (let i = 1; i < buckets.length; i++)
      if (buckets[i]!.value < buckets[i - 1]!.value || !(le(buckets[i]!) > le(buckets[i - 1]!)))
        throw new Error(`${f.name}${key}: buckets not cumulative in increasing le`)
  }
}

/** The value of one series (labels given must all match; others are ignored), undefined when absent. */
export function sampleValue(
  families: Map<string, PromFamily>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const f of families.values())
    for (const s of f.samples)
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value
  return undefined
}
