import { h } from '../dom.ts'

/**
 * Small parts the management pages share (windows, users, audit): park time in datetime-local
 * inputs and a plain table. The park reads time in Asia/Shanghai (UTC+8, no DST), whatever the
 * browser's zone.
 */
const BEIJING_MS = 8 * 3_600_000

/** A datetime-local value read as Beijing time → ISO-8601 with its zone ('' stays ''). */
export const beijingIso = (local: string): string =>
  local ? `${local.length === 16 ? `${local}:00` : local}+08:00` : ''

/** An instant as a datetime-local value in Beijing time (minutes). */
export const beijingLocal = (ms: number): string => new Date(ms + BEIJING_MS).toISOString().slice(0, 16)

/** A table with a header row; `attrs` go on the table (data-testid …). */
export function table(attrs: Record<string, string>, head: string[], rows: HTMLElement[]): HTMLTableElement {
  return h('table', attrs, h('thead', {}, h('tr', {}, ...head.map((x) => h('th', {}, x)))), h('tbody', {}, ...rows))
}

/** An id, a user name or a code: shown as it is, never translated (the zh-CN walker skips it). */
export const raw = (text: string | null | undefined): HTMLElement => h('span', { translate: 'no' }, text ?? '—')
