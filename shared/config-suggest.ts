import type { z } from 'zod'

/**
 * "Did you mean …" for configuration problems: the allowed keys of the object at a path (found by
 * walking the schema alongside the document, so a device's keys are those of its `kind`), and
 * the closest candidate to a misspelt word. Pure.
 */
type Def = { type: string; [k: string]: unknown }
const defOf = (s: unknown): Def => (s as { _zod: { def: Def } })._zod.def
const WRAPPERS = new Set(['optional', 'default', 'nullable', 'prefault', 'readonly', 'catch', 'nonoptional'])

function unwrap(schema: unknown): unknown {
  let s = schema
  for (let d = defOf(s); ; d = defOf(s)) {
    if (WRAPPERS.has(d.type)) s = d.innerType
    else if (d.type === 'pipe') s = d.in
    else return s
  }
}

const at = (raw: unknown, key: string | number): unknown =>
  typeof raw === 'object' && raw !== null ? (raw as Record<string | number, unknown>)[key] : undefined

function literalValues(schema: unknown): unknown[] {
  const d = defOf(unwrap(schema))
  const values =
    d.type === 'literal' ? (d.values as unknown[]) : d.type === 'enum' ? Object.values(d.entries as object) : []
  // An optional discriminator (`uplink.kind`, mqtt when left out) also matches a document without it.
  return defOf(schema).type === 'optional' ? [...values, undefined] : values
}

/** The object schemas that may sit at `path` of `raw` (a union gives several, a discriminated one only the matching option). */
function objectsAt(
  schema: unknown,
  raw: unknown,
  path: ReadonlyArray<string | number>,
): Array<Record<string, unknown>> {
  const s = unwrap(schema)
  const d = defOf(s)
  if (d.type === 'union') {
    const options = d.options as unknown[]
    const disc = d.discriminator as string | undefined
    const chosen = disc
      ? options.filter((o) =>
          literalValues((defOf(unwrap(o)).shape as Record<string, unknown>)?.[disc]).includes(at(raw, disc)),
        )
      : options
    return chosen.flatMap((o) => objectsAt(o, raw, path))
  }
  if (path.length === 0) return d.type === 'object' ? [d.shape as Record<string, unknown>] : []
  const [key, ...rest] = path
  if (d.type === 'object') {
    const child = (d.shape as Record<string, unknown>)[String(key)]
    return child ? objectsAt(child, at(raw, key!), rest) : []
  }
  if (d.type === 'array') return objectsAt(d.element, at(raw, key!), rest)
  if (d.type === 'record') return objectsAt(d.valueType, at(raw, key!), rest)
  return []
}

/** The keys allowed at `path` of the document `raw` under `schema`. */
export function allowedKeys(schema: z.ZodType, raw: unknown, path: ReadonlyArray<string | number>): string[] {
  return [...new Set(objectsAt(schema, raw, path).flatMap((shape) => Object.keys(shape)))]
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = cur
    }
  }
  return row[b.length]!
}

/** The candidate closest to `word` (case-insensitive edit distance, at most a third of its length, at least 2), or null. */
export function closest(word: string, candidates: Iterable<string>): string | null {
  const w = word.toLowerCase()
  let best: string | null = null
  let bestD = Math.max(2, Math.floor(w.length / 3)) + 1
  for (const c of candidates) {
    const cl = c.toLowerCase()
    const d = w.length >= 3 && (cl.startsWith(w) || w.startsWith(cl)) ? Math.min(distance(w, cl), 1) : distance(w, cl)
    if (d < bestD) [best, bestD] = [c, d]
  }
  return best
}

export const didYouMean = (word: string, candidates: Iterable<string>): string => {
  const c = closest(word, candidates)
  return c === null ? '' : ` (did you mean "${c}"?)`
}
