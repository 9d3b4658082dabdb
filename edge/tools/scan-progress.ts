/**
 * Progress of a scan, for a person on a terminal or for a program reading JSON lines: how many
 * unit ids were asked, how many answered so far, and the time left at the pace so far (every
 * silent id costs its full timeout, so the pace is steady enough to extrapolate). Pure.
 */
export interface ScanProgress {
  done: number
  total: number
  found: number
  elapsedMs: number
  /** Estimated from the pace so far; null before the first answer or timeout. */
  leftMs: number | null
}

export function scanProgress(done: number, total: number, found: number, elapsedMs: number): ScanProgress {
  const leftMs = done === 0 ? null : Math.round((elapsedMs / done) * (total - done))
  return { done, total, found, elapsedMs, leftMs }
}

/** "scanning 37/247 · 2 found · about 1 min 12 s left" (one terminal line, redrawn with \r). */
export function formatScanProgress(p: ScanProgress): string {
  const left =
    p.done === p.total ? 'done' : p.leftMs === null ? 'estimating time left' : `about ${duration(p.leftMs)} left`
  return `scanning ${p.done}/${p.total} · ${p.found} found · ${left}`
}

/** One JSON line: {"progress":{"done":37,"total":247,"found":2,"elapsedMs":…,"leftMs":…}}. */
export function scanProgressLine(p: ScanProgress): string {
  return JSON.stringify({ progress: p })
}

function duration(ms: number): string {
  const s = Math.ceil(ms / 1000)
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  return s % 60 === 0 ? `${m} min` : `${m} min ${s % 60} s`
}
