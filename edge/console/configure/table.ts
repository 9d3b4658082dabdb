import ExcelJS from 'exceljs'
import { parseCsv } from '../../../shared/csv.ts'
import { ErrorCodes, ParklinkError } from '../../../shared/errors.ts'
import { HEADERS } from '../../tools/import-points.ts'

/**
 * The data-access table (数据接入表) a technician uploads in the console: an XLSX workbook (its
 * first sheet) or a UTF-8 CSV, one point per row under a header row in Chinese or English. The
 * columns (see TABLE_COLUMNS; the template downloadable from the page has them all):
 * device, id, name, unit — every row; unitId, address, type, order, scale, offset, length, bit —
 * Modbus rows; nodeId — OPC UA rows. Anything else (a PDF, an old .xls, a photo) is refused with
 * one error saying what to upload.
 */
export const TABLE_COLUMNS = [
  ['device', '设备'],
  ['id', '点位编号'],
  ['name', '点位名称'],
  ['unit', '单位'],
  ['unitId', '从站地址'],
  ['address', '地址'],
  ['type', '数据类型'],
  ['order', '字节序'],
  ['scale', '系数'],
  ['offset', '偏移'],
  ['length', '长度'],
  ['bit', '位'],
  ['nodeId', '节点'],
] as const
export type Column = (typeof TABLE_COLUMNS)[number][0]

const COLUMN_OF: Record<string, Column> = {
  ...(HEADERS as Record<string, Column>),
  ...Object.fromEntries(TABLE_COLUMNS.flatMap(([key, zh]) => [[key.toLowerCase(), key] as const, [zh, key] as const])),
  从站: 'unitId',
  站号: 'unitId',
  unit_id: 'unitId',
  节点编号: 'nodeId',
  node: 'nodeId',
  nodeid: 'nodeId',
  node_id: 'nodeId',
}

/** One data row: its line in the sheet (1 = the header) and its cells by column, trimmed, empty ones left out. */
export interface TableRow {
  line: number
  cells: Partial<Record<Column, string>>
}

export function notSpreadsheet(filename: string, why: string): ParklinkError {
  return new ParklinkError(ErrorCodes.BAD_REQUEST, `${filename} is not a data-access table: ${why}`, {
    hint: 'upload the table as .xlsx (Excel 2007 or later) or as CSV in UTF-8; the template on this page shows the columns',
  })
}

const XLSX_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]) // a ZIP container (ECMA-376 Part 2)
const XLS_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]) // OLE2: Excel 97–2003

/** The table's rows, or one error when the bytes are not a spreadsheet or have no usable header. */
export async function readTable(bytes: Buffer, filename: string): Promise<TableRow[]> {
  let grid: string[][]
  if (bytes.subarray(0, 4).equals(XLS_MAGIC))
    throw notSpreadsheet(filename, 'it is an Excel 97–2003 .xls file (save it as .xlsx in Excel or WPS)')
  if (bytes.subarray(0, 4).equals(XLSX_MAGIC)) grid = await xlsxGrid(bytes, filename)
  else grid = csvGrid(bytes, filename)
  return rowsOf(grid, filename)
}

async function xlsxGrid(bytes: Buffer, filename: string): Promise<string[][]> {
  const book = new ExcelJS.Workbook()
  try {
    await book.xlsx.load(bytes as unknown as ArrayBuffer)
  } catch (err) {
    throw Object.assign(notSpreadsheet(filename, 'the file is a ZIP archive but not an Excel workbook'), { cause: err })
  }
  const sheet = book.worksheets[0]
  if (!sheet) throw notSpreadsheet(filename, 'the workbook has no sheet')
  const grid: string[][] = []
  sheet.eachRow({ includeEmpty: true }, (row, n) => {
    const cells: string[] = []
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      cells[col - 1] = cellText(cell.value)
    })
    grid[n - 1] = Array.from(cells, (c) => c ?? '')
  })
  return Array.from(grid, (r) => r ?? [])
}

/** A cell as text: numbers as typed, rich text joined, a formula by its result. */
function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return ''
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((r) => r.text).join('')
    if ('result' in v) return v.result === undefined ? '' : String(v.result)
    if ('text' in v) return String(v.text)
    if (v instanceof Date) return v.toISOString()
    return ''
  }
  return String(v)
}

function csvGrid(bytes: Buffer, filename: string): string[][] {
  if (bytes.includes(0)) throw notSpreadsheet(filename, 'it is a binary file, not text')
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw notSpreadsheet(filename, 'the text is not UTF-8 (in Excel: Save as "CSV UTF-8")')
  }
  return parseCsv(text)
}

/** A header cell: "点位编号", "id", or both as the template writes them ("点位编号 id", "设备(device)"). */
export function columnOf(cell: string): Column | null {
  for (const c of [cell.trim(), ...cell.split(/[\s()（）/]+/)]) {
    const key = COLUMN_OF[c] ?? COLUMN_OF[c.toLowerCase()]
    if (key) return key
  }
  return null
}

function rowsOf(grid: string[][], filename: string): TableRow[] {
  const headerAt = grid.findIndex((r) => r.some((c) => c.trim() !== ''))
  if (headerAt < 0) throw notSpreadsheet(filename, 'it is empty')
  const header = grid[headerAt]!.map(columnOf)
  const missing = (['device', 'id'] as const).filter((k) => !header.includes(k))
  if (missing.length > 0 || !(header.includes('address') || header.includes('nodeId')))
    throw notSpreadsheet(
      filename,
      `its header row has no column for ${[...missing, ...(header.includes('address') || header.includes('nodeId') ? [] : ['address or nodeId'])].join(', ')}`,
    )
  const rows: TableRow[] = []
  grid.slice(headerAt + 1).forEach((cells, k) => {
    const row: TableRow = { line: headerAt + k + 2, cells: {} }
    header.forEach((key, i) => {
      const v = (cells[i] ?? '').trim()
      if (key && v !== '') row.cells[key] = v
    })
    if (Object.keys(row.cells).length > 0) rows.push(row)
  })
  if (rows.length === 0) throw notSpreadsheet(filename, 'it has a header row but no data rows')
  return rows
}
