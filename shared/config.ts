import { LineCounter, parseDocument, isNode } from 'yaml'
import type { z } from 'zod'
import { ErrorCodes, ParklinkError } from './errors.ts'

/**
 * Parses configuration text (YAML, of which JSON is a subset) against a zod schema. Pure: the
 * caller reads the file. On failure throws ONE ParklinkError listing EVERY problem, each with
 * file, line and the path inside the document, so a technician fixes them all in one pass.
 */
export interface ConfigProblem {
  file: string
  line: number | null
  path: string
  message: string
}

export class ConfigError extends ParklinkError {
  readonly problems: ConfigProblem[]
  constructor(file: string, problems: ConfigProblem[], cause?: unknown) {
    const lines = problems.map((p) => `  ${p.file}${p.line ? `:${p.line}` : ''}  ${p.path || '(top level)'}: ${p.message}`)
    super(ErrorCodes.CONFIG_INVALID, `invalid configuration in ${file} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`, {
      hint: `fix the listed entries in ${file}; the configuration reference is in the README`,
      cause,
    })
    this.name = 'ConfigError'
    this.problems = problems
  }
}

/**
 * Parses YAML text against a schema, listing every problem with its line. `prepare` may rewrite
 * the plain document first (e.g. expand profile references); it throws its own ConfigError.
 */
export function parseConfig<S extends z.ZodType>(schema: S, text: string, file: string, prepare?: (raw: unknown) => unknown): z.infer<S> {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({ file, line: lineCounter.linePos(e.pos[0]).line, path: '', message: `YAML syntax: ${e.message.split('\n')[0]}` })),
    )
  }
  const raw: unknown = doc.toJS() ?? {}
  const parsed = schema.safeParse(prepare ? prepare(raw) : raw)
  if (parsed.success) return parsed.data
  const problems = parsed.error.issues.map((issue) => {
    const path = issue.path.map(String)
    return { file, line: lineOf(doc, lineCounter, path), path: path.join('.'), message: issue.message }
  })
  throw new ConfigError(file, problems, parsed.error)
}

/** The line of the deepest node that exists along `path` (a missing key points at its parent). */
function lineOf(doc: ReturnType<typeof parseDocument>, counter: LineCounter, path: string[]): number | null {
  for (let depth = path.length; depth >= 0; depth--) {
    const keys = path.slice(0, depth).map((k) => (/^\d+$/.test(k) ? Number(k) : k))
    const node = depth === 0 ? doc.contents : doc.getIn(keys, true)
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line
  }
  return null
}
