/**
 * A report as content, independent of its format: the kinds (cloud/reports/kinds/) build it,
 * the writers (xlsx.ts, pdf.ts) render it. Cells are text or numbers; a number column is
 * right-aligned and stays a number in the spreadsheet.
 */
export type Cell = string | number | null

export interface Column {
  label: string
  numeric?: boolean
  /** Relative width (default 1). */
  width?: number
}

export type Section =
  | { type: 'table'; heading: string; columns: Column[]; rows: Cell[][] }
  /** A bar chart (drawn as vector bars in the PDF; a table of values in the spreadsheet). */
  | { type: 'bars'; heading: string; bars: Array<{ label: string; value: number }> }
  | { type: 'text'; heading: string; lines: string[] }

export interface ReportDocument {
  title: string
  /** Period, time zone, when generated. */
  subtitle: string[]
  /** Set when the period held no data: the report says so (issue 18 "Bad input"). */
  empty: string | null
  sections: Section[]
}

/** A two-column figures table (label, value). */
export const figures = (heading: string, labels: [string, string], items: Array<[string, Cell]>): Section => ({
  type: 'table',
  heading,
  columns: [
    { label: labels[0], width: 2 },
    { label: labels[1], numeric: true },
  ],
  rows: items.map(([k, v]) => [k, v]),
})
