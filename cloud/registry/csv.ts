import { parseCsv, toCsv } from '../../shared/csv.ts'
import { EMPTY_POINT_FIELDS, PointCreate, pointProblems, type RegistryPoint } from './model.ts'

/**
 * Points as CSV, with the Chinese column headers of the enterprises' data-access tables
 * (数据接入表). Export writes COLUMNS in this order; import accepts them and the aliases below,
 * in any order. Every row carries the whole registry record of a point: an empty cell clears
 * that field.
 */
type Field = keyof RegistryPoint
export const COLUMNS: ReadonlyArray<readonly [string, Field]> = [
  ['点位编号', 'id'],
  ['点位名称', 'name'],
  ['企业', 'enterprise'],
  ['类别', 'class'],
  ['单位', 'unit'],
  ['计量单位编码', 'unitCode'],
  ['监测物质', 'substance'],
  ['CAS号', 'cas'],
  ['量程下限', 'rangeLow'],
  ['量程上限', 'rangeHigh'],
  ['一级阈值上限', 'h'],
  ['二级阈值上限', 'hh'],
  ['一级阈值下限', 'l'],
  ['二级阈值下限', 'll'],
  ['重大危险源', 'hazardSource'],
  ['区域', 'area'],
  ['指标类型', 'indicatorType'],
  ['所属监测设备编码', 'monitorDevice'],
  ['经度', 'lon'],
  ['纬度', 'lat'],
]
const ALIASES: Record<string, Field> = {
  ...Object.fromEntries(COLUMNS.map(([h, f]) => [h, f])),
  ...Object.fromEntries(COLUMNS.map(([, f]) => [f, f])),
  位号: 'id',
  名称: 'name',
  企业编号: 'enterprise',
  点位类别: 'class',
  监测气体CAS: 'cas',
  CAS: 'cas',
  高报: 'h',
  '一级阈值上限/高报': 'h',
  高高报: 'hh',
  '二级阈值上限/高高报': 'hh',
  低报: 'l',
  '一级阈值下限/低报': 'l',
  低低报: 'll',
  '二级阈值下限/低低报': 'll',
  危险源: 'hazardSource',
  区域编号: 'area',
  装置: 'area',
}
const NUMERIC = new Set<Field>(['lon', 'lat', 'rangeLow', 'rangeHigh', 'h', 'hh', 'l', 'll'])
const CLASS_ALIASES: Record<string, string> = {
  授权: 'authorised',
  重大危险源: 'mhs',
  工艺: 'process',
  气体: 'gas',
  一般: 'general',
}
const HEADER_OF = Object.fromEntries(COLUMNS.map(([h, f]) => [f, h])) as Record<Field, string>

/** A row that cannot be imported: its line in the file (header = 1), the column, what to do. */
export interface RowError {
  row: number
  column: string
  message: string
}

export function pointsToCsv(list: readonly RegistryPoint[]): string {
  return toCsv(
    COLUMNS.map(([h]) => h),
    list.map((p) => COLUMNS.map(([, f]) => p[f])),
  )
}

/** Parses the whole file; any error → no points (the caller imports nothing). */
export function parsePointsCsv(text: string): { points: PointCreate[]; errors: RowError[] } {
  const rows = parseCsv(text)
  const errors: RowError[] = []
  if (rows.length < 2)
    return {
      points: [],
      errors: [
        {
          row: 1,
          column: '',
          message: `no data rows: the first row is the header (${COLUMNS.map(([h]) => h).join(',')})`,
        },
      ],
    }
  const header = rows[0]!.map((h) => h.trim())
  const fields = header.map((h) => ALIASES[h])
  header.forEach(
    (h, i) =>
      fields[i] === undefined &&
      errors.push({ row: 1, column: h, message: `unknown column "${h}": use ${COLUMNS.map(([c]) => c).join(', ')}` }),
  )
  for (const required of ['id', 'name', 'enterprise', 'class'] as const) {
    if (!fields.includes(required))
      errors.push({ row: 1, column: HEADER_OF[required], message: `the column ${HEADER_OF[required]} is missing` })
  }
  if (errors.length > 0) return { points: [], errors }
  const points: PointCreate[] = []
  const seen = new Map<string, number>()
  rows.slice(1).forEach((cells, i) => {
    const row = i + 2
    const record: Record<string, unknown> = {}
    fields.forEach((f, col) => {
      const cell = (cells[col] ?? '').trim().replace(/^'(?=[=+\-@])/, '') // undo the export's formula guard
      if (cell === '') record[f!] = null
      else if (NUMERIC.has(f!)) {
        const n = Number(cell)
        if (Number.isFinite(n)) record[f!] = n
        else errors.push({ row, column: header[col]!, message: `"${cell}" is not a number` })
      } else record[f!] = f === 'class' ? (CLASS_ALIASES[cell] ?? cell) : cell
    })
    for (const f of ['id', 'name', 'enterprise', 'class']) if (record[f] === null) delete record[f]
    const parsed = PointCreate.safeParse(record)
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        errors.push({
          row,
          column: HEADER_OF[issue.path[0] as Field] ?? String(issue.path[0] ?? ''),
          message: issue.message,
        })
      return
    }
    const p = parsed.data
    const full = {
      ...EMPTY_POINT_FIELDS,
      ...p,
    }
    for (const problem of pointProblems(full)) errors.push({ row, column: '', message: problem })
    const earlier = seen.get(p.id)
    if (earlier !== undefined)
      errors.push({
        row,
        column: HEADER_OF.id,
        message: `point ${p.id} is also on row ${earlier}: keep one row per point`,
      })
    seen.set(p.id, row)
    points.push(p)
  })
  return errors.length > 0 ? { points: [], errors } : { points, errors }
}
