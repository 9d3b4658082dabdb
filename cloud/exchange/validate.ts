import type { CodeLists } from './codes.ts'
import { AUDIT_COLUMNS, type ColumnDef, type TableDef } from './tables.ts'

/**
 * Checks one exchange row against its table before anything is written (issue 18 "bad
 * input"), pure: every required field present, every code in its list, UUIDs, numbers, times
 * and dates well formed. A row with problems is held back whole, never half-written; each
 * problem names the field and what to fix (`fixes`: the data set's hint per column, naming the
 * registry field behind it).
 */
export type Cell = string | number | null
export type Row = Record<string, Cell>

export interface Problem {
  column: string
  message: string
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/
const DATE = /^\d{4}-\d{2}-\d{2}$/

const empty = (v: Cell | undefined): boolean => v === null || v === undefined || v === ''

function required(c: ColumnDef, row: Row): boolean {
  return c.required === true || (c.required === 'handled' && row.disposal_status === '03')
}

function shapeProblem(c: ColumnDef, v: Cell, lists: CodeLists): string | null {
  switch (c.type) {
    case 'uuid':
      return typeof v === 'string' && UUID.test(v) ? null : `"${v}" is not a UUID`
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? null : `"${v}" is not a number`
    case 'time':
      return typeof v === 'string' && TIME.test(v) ? null : `"${v}" is not a time (YYYY-MM-DD HH:MM:SS)`
    case 'date':
      return typeof v === 'string' && DATE.test(v) ? null : `"${v}" is not a date (YYYY-MM-DD)`
    case 'code': {
      const list = lists[c.codes!]
      return typeof v === 'string' && Object.hasOwn(list, v)
        ? null
        : `"${v}" is not in the code list ${c.codes} (${Object.keys(list).sort().join(', ')})`
    }
    case 'text':
      return typeof v === 'string' ? null : `"${v}" is not text`
  }
}

export function validateRow(
  table: TableDef,
  row: Row,
  lists: CodeLists,
  fixes: Readonly<Record<string, string>> = {},
): Problem[] {
  const out: Problem[] = []
  const fix = (name: string) => (fixes[name] ? `: ${fixes[name]}` : '')
  // The audit fields and the delete flag are the writer's (./writer.ts), set as it writes.
  for (const c of table.columns.filter((c) => !AUDIT_COLUMNS.includes(c.name))) {
    const v = row[c.name]
    if (empty(v)) {
      if (required(c, row)) out.push({ column: c.name, message: `${c.label} (${c.name}) is missing${fix(c.name)}` })
      continue
    }
    const problem = shapeProblem(c, v!, lists)
    if (problem) out.push({ column: c.name, message: `${c.label} (${c.name}): ${problem}${fix(c.name)}` })
  }
  for (const name of Object.keys(row))
    if (!table.columns.some((c) => c.name === name))
      out.push({ column: name, message: `${table.name} has no column ${name}` })
  return out
}
