import { LineCounter, parseDocument, isNode } from 'yaml'
import type { z } from 'zod'
import { ErrorCodes, ParklinkError } from './errors.ts'
import { allowedKeys, didYouMean } from './config-suggest.ts'

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
  /** What to do about it, when the message alone does not say. */
  hint?: string
  /** The stable error code, where the problem has one of its own (e.g. PL_CERT_EXPIRED). */
  code?: string
}

/** Problems in reading order: by line, those without a line last. */
export const byLine = (a: ConfigProblem, b: ConfigProblem): number =>
  (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER)

export class ConfigError extends ParklinkError {
  readonly problems: ConfigProblem[]
  constructor(file: string, problems: ConfigProblem[], cause?: unknown) {
    problems = [...problems].sort(byLine)
    const lines = problems.map(
      (p) =>
        `  ${p.file}${p.line ? `:${p.line}` : ''}  ${p.path || '(top level)'}: ${p.message}${p.hint ? ` — ${p.hint}` : ''}`,
    )
    super(
      ErrorCodes.CONFIG_INVALID,
      `invalid configuration in ${file} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`,
      {
        hint: `fix the listed entries in ${file}; the configuration reference is in the README`,
        cause,
      },
    )
    this.name = 'ConfigError'
    this.problems = problems
  }
}

/**
 * Parses YAML text against a schema, listing every problem with its line. `prepare` may rewrite
 * the plain document first (e.g. expand profile references); it throws its own ConfigError.
 */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  text: string,
  file: string,
  prepare?: (raw: unknown) => unknown,
): z.infer<S> {
  const located = locateConfig(text, file)
  const raw = prepare ? prepare(located.raw) : located.raw
  const parsed = schema.safeParse(raw)
  if (parsed.success) return parsed.data
  throw new ConfigError(
    file,
    parsed.error.issues.map((issue) => issueProblem(schema, raw, issue, file, located.lineOf)),
    parsed.error,
  )
}

export interface LocatedConfig {
  /** The document as plain data. */
  raw: unknown
  /** The line of the node at a path (a missing key points at its parent). */
  lineOf(path: ReadonlyArray<string | number>): number | null
}

/** Parses YAML keeping node positions; a syntax error throws a ConfigError with ONE problem (the first: later ones are its echoes). */
export function locateConfig(text: string, file: string): LocatedConfig {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  const first = doc.errors[0]
  if (first) {
    const { line, col } = lineCounter.linePos(first.pos[0])
    throw new ConfigError(
      file,
      [
        {
          file,
          line,
          path: '',
          message: `YAML syntax error at line ${line}, column ${col}: ${yamlWhat(first.code, first.message)}`,
          hint: yamlHint(first.code),
        },
      ],
      first,
    )
  }
  return { raw: doc.toJS() ?? {}, lineOf: (path) => lineOf(doc, lineCounter, path.map(String)) }
}

function issueProblem(
  schema: z.ZodType,
  raw: unknown,
  issue: z.core.$ZodIssue,
  file: string,
  lineOf: LocatedConfig['lineOf'],
): ConfigProblem {
  const path = issue.path.map((k) => (typeof k === 'symbol' ? String(k) : k))
  const problem: ConfigProblem = { file, line: lineOf(path), path: path.join('.'), message: issue.message }
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(schema, raw, path)
    problem.message = issue.keys.map((k) => `unknown key "${k}"${didYouMean(k, allowed)}`).join('; ')
    if (issue.keys.length === 1) {
      problem.line = lineOf([...path, issue.keys[0]!]) ?? problem.line
      problem.path = [...path, issue.keys[0]!].join('.')
    }
  } else if (issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)) {
    const given = path.reduce<unknown>(
      (o, k) => (typeof o === 'object' && o !== null ? (o as Record<string | number, unknown>)[k] : undefined),
      raw,
    )
    const options = issue.options.map(String)
    problem.message =
      given === undefined
        ? `missing: use one of ${options.join(', ')}`
        : `unknown ${String(path.at(-1))} "${String(given)}"${didYouMean(String(given), options)}: use one of ${options.join(', ')}`
  }
  const hint = (issue as { params?: { hint?: unknown } }).params?.hint
  if (typeof hint === 'string') problem.hint = hint
  return problem
}

/** The parser's message without its jargon tail: the first sentence. */
function yamlWhat(code: string, message: string): string {
  const plain: Record<string, string> = {
    BAD_INDENT: 'the indentation does not fit here',
    TAB_AS_INDENT: 'a tab is used for indentation',
    DUPLICATE_KEY: 'this key appears twice in the same block',
    MISSING_CHAR: 'a closing bracket or quote is missing',
    BLOCK_AS_IMPLICIT_KEY: 'a block is used as a key (a missing ":" or a wrong indentation above)',
    MULTILINE_IMPLICIT_KEY: 'a key runs over several lines (a missing ":" or quote)',
    UNEXPECTED_TOKEN: 'something unexpected is here',
  }
  return plain[code] ?? message.split('\n')[0]!.replace(/ at line \d+, column \d+.*$/, '')
}

function yamlHint(code: string): string {
  switch (code) {
    case 'TAB_AS_INDENT':
      return 'indent with spaces only (2 per level)'
    case 'DUPLICATE_KEY':
      return 'keep one of the two entries'
    case 'MISSING_CHAR':
      return 'close the { [ or quote opened on this line'
    default:
      return 'align this line with the keys of the same block (spaces, 2 per level) and check the line above ends with ":" where a block starts'
  }
}

/** The line of the deepest node that exists along `path` (a missing key points at its parent). */
function lineOf(doc: ReturnType<typeof parseDocument>, counter: LineCounter, path: readonly string[]): number | null {
  for (let depth = path.length; depth >= 0; depth--) {
    const keys = path.slice(0, depth).map((k) => (/^\d+$/.test(k) ? Number(k) : k))
    const node = depth === 0 ? doc.contents : doc.getIn(keys, true)
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line
  }
  return null
}
