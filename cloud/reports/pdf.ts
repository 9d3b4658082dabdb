import PDFDocument from 'pdfkit'
import type { Cell, ReportDocument, Section } from './document.ts'

/**
 * The PDF of a report (pdfkit, A4 landscape) in a CJK font (`reports.font`): headings, tables
 * (repeating their header on each page) and bar charts drawn as vector rectangles. A table
 * longer than `maxRows` is cut with a line pointing to the spreadsheet, which has every row.
 */
export interface PdfOptions {
  font: string
  fontFace: string
  maxRows?: number
  /** "… {n} more rows: see the XLSX" in the report's language. */
  moreRows: (n: number) => string
}

type Doc = InstanceType<typeof PDFDocument>
const MARGIN = 36
const ROW_H = 16
const BAR_COLOR = '#3b6ea5'

const text = (c: Cell): string => (c === null ? '—' : typeof c === 'number' ? String(c) : c)
const bottom = (doc: Doc) => doc.page.height - MARGIN
const ensure = (doc: Doc, height: number): boolean => {
  if (doc.y + height <= bottom(doc)) return false
  doc.addPage()
  return true
}

function heading(doc: Doc, s: string): void {
  ensure(doc, 48)
  doc.moveDown(0.6).fontSize(12).fillColor('black').text(s, MARGIN, doc.y)
  doc.moveDown(0.3)
}

function table(doc: Doc, s: Extract<Section, { type: 'table' }>, o: PdfOptions): void {
  const width = doc.page.width - 2 * MARGIN
  const total = s.columns.reduce((n, c) => n + (c.width ?? 1), 0)
  const widths = s.columns.map((c) => ((c.width ?? 1) / total) * width)
  const row = (cells: Cell[], header: boolean) => {
    const y = doc.y
    if (header) doc.rect(MARGIN, y, width, ROW_H).fill('#e8eef4')
    doc.fillColor('black').fontSize(8)
    let x = MARGIN
    cells.forEach((c, i) => {
      const w = widths[i] ?? 0
      doc.text(text(c), x + 2, y + 4, {
        width: w - 4,
        height: ROW_H,
        lineBreak: false,
        ellipsis: true,
        align: !header && s.columns[i]?.numeric ? 'right' : 'left',
      })
      x += w
    })
    doc
      .moveTo(MARGIN, y + ROW_H)
      .lineTo(MARGIN + width, y + ROW_H)
      .lineWidth(0.3)
      .strokeColor('#b0b8c0')
      .stroke()
    doc.x = MARGIN
    doc.y = y + ROW_H
  }
  const shown = s.rows.slice(0, o.maxRows ?? 500)
  ensure(doc, ROW_H * 2)
  row(
    s.columns.map((c) => c.label),
    true,
  )
  for (const r of shown) {
    if (ensure(doc, ROW_H))
      row(
        s.columns.map((c) => c.label),
        true,
      )
    row(r, false)
  }
  if (shown.length < s.rows.length) doc.fontSize(8).text(o.moreRows(s.rows.length - shown.length), MARGIN, doc.y + 2)
}

/** Horizontal bars, scaled to the largest value, each labelled with its value. */
function bars(doc: Doc, s: Extract<Section, { type: 'bars' }>): void {
  const labelW = 140
  const maxW = doc.page.width - 2 * MARGIN - labelW - 60
  const max = Math.max(0, ...s.bars.map((b) => b.value))
  for (const b of s.bars) {
    ensure(doc, ROW_H)
    const y = doc.y
    const w = max === 0 ? 0 : (b.value / max) * maxW
    doc
      .fillColor('black')
      .fontSize(8)
      .text(b.label, MARGIN, y + 3, { width: labelW - 6, lineBreak: false, ellipsis: true })
    if (w > 0) doc.rect(MARGIN + labelW, y + 2, w, ROW_H - 5).fill(BAR_COLOR)
    doc.fillColor('black').text(String(b.value), MARGIN + labelW + w + 4, y + 3, { lineBreak: false })
    doc.x = MARGIN
    doc.y = y + ROW_H
  }
}

function section(doc: Doc, s: Section, o: PdfOptions): void {
  heading(doc, s.heading)
  if (s.type === 'table') table(doc, s, o)
  else if (s.type === 'bars') bars(doc, s)
  else
    for (const line of s.lines)
      doc
        .fontSize(9)
        .fillColor('black')
        .text(line, MARGIN, doc.y, { width: doc.page.width - 2 * MARGIN })
}

export function writePdf(report: ReportDocument, o: PdfOptions): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: MARGIN,
    info: { Title: report.title, Producer: 'parklink' },
  })
  const chunks: Buffer[] = []
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c))
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
  })
  doc.registerFont('cjk', o.font, o.fontFace)
  doc.font('cjk').fontSize(18).text(report.title, MARGIN, MARGIN)
  doc.fontSize(9).fillColor('#444444')
  for (const line of report.subtitle) doc.text(line)
  if (report.empty) doc.moveDown(0.5).fontSize(12).fillColor('#b00020').text(report.empty)
  for (const s of report.sections) section(doc, s, o)
  doc.end()
  return done
}
