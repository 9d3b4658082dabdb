/**
 * CSV for spreadsheets (RFC 4180): UTF-8 with a byte-order mark, so Excel on a Chinese Windows
 * reads 液位 instead of mojibake; CRLF line ends; fields with a comma, quote or line break quoted.
 * A text cell starting with = + - @ is prefixed with ' so a spreadsheet does not run it as a
 * formula (CSV injection).
 */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return ''
  let text = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v)
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  return `\uFEFF${[header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`
}
