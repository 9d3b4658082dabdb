import { describe, expect, it } from 'vitest'
import { formatScanProgress, scanProgress, scanProgressLine } from './scan-progress.ts'

describe('scan progress', () => {
  it('extrapolates the time left from the pace so far', () => {
    expect(scanProgress(0, 247, 0, 0)).toEqual({ done: 0, total: 247, found: 0, elapsedMs: 0, leftMs: null })
    expect(scanProgress(10, 247, 1, 3_000).leftMs).toBe(71_100)
    expect(scanProgress(247, 247, 2, 77_000).leftMs).toBe(0)
  })

  it('one terminal line: count, found so far, time left', () => {
    expect(formatScanProgress(scanProgress(0, 247, 0, 0))).toBe('scanning 0/247 · 0 found · estimating time left')
    expect(formatScanProgress(scanProgress(10, 247, 1, 3_000))).toBe(
      'scanning 10/247 · 1 found · about 1 min 12 s left',
    )
    expect(formatScanProgress(scanProgress(200, 247, 3, 60_000))).toBe('scanning 200/247 · 3 found · about 15 s left')
    expect(formatScanProgress(scanProgress(247, 247, 3, 77_000))).toBe('scanning 247/247 · 3 found · done')
  })

  it('one JSON line for programs', () => {
    expect(JSON.parse(scanProgressLine(scanProgress(5, 10, 1, 500)))).toEqual({
      progress: { done: 5, total: 10, found: 1, elapsedMs: 500, leftMs: 500 },
    })
  })
})
