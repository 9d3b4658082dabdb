import ExcelJS from 'exceljs'
import { TABLE_COLUMNS } from './table.ts'

/** The data-access table template offered on the page: both header languages, one Modbus and one OPC UA example row. */
const EXAMPLES: Array<Record<string, string | number>> = [
  {
    device: 'dcs',
    id: 'tk101.level',
    name: '液氨储罐液位',
    unit: 'm',
    address: 'hr100',
    type: 'float32',
    order: 'ABCD',
    scale: 1,
  },
  { device: 'opc1', id: 'tk201.temp', name: '储罐温度', unit: '°C', nodeId: 'ns=2;s=TK201.Temp' },
]

const header = () => TABLE_COLUMNS.map(([key, zh]) => `${zh} ${key}`)

export async function templateXlsx(): Promise<Buffer> {
  const book = new ExcelJS.Workbook()
  const sheet = book.addWorksheet('数据接入表')
  sheet.addRow(header())
  for (const e of EXAMPLES) sheet.addRow(TABLE_COLUMNS.map(([key]) => e[key] ?? null))
  sheet.getRow(1).font = { bold: true }
  return Buffer.from(await book.xlsx.writeBuffer())
}

export function templateCsv(): string {
  const line = (cells: Array<string | number | undefined>) =>
    cells
      .map((c) => (c === undefined ? '' : /[",\n]/.test(String(c)) ? `"${String(c).replace(/"/g, '""')}"` : String(c)))
      .join(',')
  return `\uFEFF${[line(header()), ...EXAMPLES.map((e) => line(TABLE_COLUMNS.map(([key]) => e[key])))].join('\r\n')}\r\n`
}
