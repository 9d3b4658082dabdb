import ExcelJS from 'exceljs'
import type { ReportDocument, Section } from './document.ts'

/**
 * The spreadsheet of a report: one worksheet, the title and period on top, then each section
 * as a heading, a header row and its rows (numbers stay numbers; a chart is its values).
 */
const sheetName = (title: string) => title.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31) || 'report'

function addSection(ws: ExcelJS.Worksheet, s: Section): void {
  ws.addRow([s.heading]).font = { bold: true, size: 12 }
  if (s.type === 'text') {
    for (const line of s.lines) ws.addRow([line])
  } else if (s.type === 'bars') {
    for (const b of s.bars) ws.addRow([b.label, b.value])
  } else {
    const header = ws.addRow(s.columns.map((c) => c.label))
    header.font = { bold: true }
    header.eachCell((cell) => (cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF4' } }))
    for (const r of s.rows) ws.addRow(r)
  }
  ws.addRow([])
}

export async function writeXlsx(doc: ReportDocument, meta: { creator: string; created: Date }): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  wb.creator = meta.creator
  wb.created = meta.created
  const ws = wb.addWorksheet(sheetName(doc.title))
  ws.addRow([doc.title]).font = { bold: true, size: 16 }
  for (const line of doc.subtitle) ws.addRow([line])
  if (doc.empty) ws.addRow([doc.empty]).font = { bold: true, color: { argb: 'FFB00020' } }
  ws.addRow([])
  for (const s of doc.sections) addSection(ws, s)
  const widest = Math.max(1, ...doc.sections.map((s) => (s.type === 'table' ? s.columns.length : 2)))
  ws.columns = Array.from({ length: widest }, (_, i) => ({ width: i === 0 ? 28 : 18 }))
  return Buffer.from(await wb.xlsx.writeBuffer())
}
