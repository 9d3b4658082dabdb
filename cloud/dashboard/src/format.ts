import { currentLang } from './i18n.ts'

/** Times as the park reads them (Asia/Shanghai), whatever the browser's zone. */
export function time(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—'
  return new Date(ms).toLocaleString(currentLang() === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone: 'Asia/Shanghai',
    hour12: false,
  })
}

export function value(v: unknown, unit = ''): string {
  if (v === null || v === undefined) return '—'
  if (typeof v === 'number')
    return `${Number.isInteger(v) ? v : Number(v.toFixed(Math.abs(v) >= 100 ? 1 : 3))}${unit ? ` ${unit}` : ''}`
  return `${String(v)}${unit ? ` ${unit}` : ''}`
}

export function ago(ms: number | null | undefined, now = Date.now()): string {
  if (ms === null || ms === undefined) return '—'
  const s = Math.max(0, Math.round((now - ms) / 1000))
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min`
  return `${(s / 3600).toFixed(1)} h`
}
