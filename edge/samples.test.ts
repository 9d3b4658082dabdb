import { describe, expect, it } from 'vitest'
import { Sample } from '../shared/wire/sample.ts'
import { QualityReasons } from '../shared/quality.ts'
import { createSkewLog, edgeTimeWindow, sanitizeSamples } from './samples.ts'

const NOW = 1_700_000_000_000

describe('sanitizeSamples', () => {
  it('passes valid samples through unchanged', () => {
    const valid = [
      { point: 'a.b', ts: NOW, value: 1.5, quality: 'good' as const },
      { point: 'a.c', ts: NOW, value: null, quality: 'bad' as const, reason: 'timeout' },
    ]
    expect(sanitizeSamples(valid, NOW)).toEqual({ samples: valid, problems: [], skewed: { ahead: 0, behind: 0 } })
  })

  it.each([
    ['a fractional timestamp', { point: 'a.b', ts: NOW + 0.5, value: 1, quality: 'good' }, NOW],
    ['an over-long text value', { point: 'a.b', ts: NOW - 5, value: 'x'.repeat(300), quality: 'good' }, NOW - 5],
    ['an unknown quality', { point: 'a.b', ts: NOW - 5, value: 1, quality: 'ok' }, NOW - 5],
    ['a missing timestamp', { point: 'a.b', value: 1, quality: 'good' }, NOW + 1],
  ])('turns %s into a bad sample that the cloud accepts', (_name, raw, ts) => {
    const { samples, problems } = sanitizeSamples([raw], NOW + 1)
    expect(samples).toHaveLength(1)
    expect(samples[0]).toMatchObject({
      point: 'a.b',
      ts,
      value: null,
      quality: 'bad',
      reason: expect.stringMatching(new RegExp(`^${QualityReasons.INVALID_SAMPLE}:`)),
    })
    expect(Sample.safeParse(samples[0]).success).toBe(true)
    expect(problems).toHaveLength(1)
  })

  it('drops a sample without a usable point id, and says so', () => {
    const { samples, problems } = sanitizeSamples([{ point: 'a/b#', ts: NOW, value: 1, quality: 'good' }, null], NOW)
    expect(samples).toEqual([])
    expect(problems).toHaveLength(2)
    expect(problems[0]).toMatch(/dropped/)
  })
})

describe('the time check at the sanitize step (issue 14)', () => {
  const window = edgeTimeWindow(72)
  it('keeps a sample stamped ahead of the edge clock or older than maxAgeH, as uncertain with its clock_skew reason', () => {
    const year = 365 * 86_400_000
    const out = sanitizeSamples(
      [
        { point: 'a.b', ts: NOW + year, value: 12, quality: 'good' },
        { point: 'a.c', ts: NOW - 73 * 3_600_000, value: 3, quality: 'good' },
        { point: 'a.d', ts: NOW + 299_000, value: 4, quality: 'good' },
      ],
      NOW,
      window,
    )
    expect(out.samples).toEqual([
      { point: 'a.b', ts: NOW + year, value: 12, quality: 'uncertain', reason: 'clock_skew:ahead:365d' },
      { point: 'a.c', ts: NOW - 73 * 3_600_000, value: 3, quality: 'uncertain', reason: 'clock_skew:behind:3d' },
      { point: 'a.d', ts: NOW + 299_000, value: 4, quality: 'good' },
    ])
    expect(out.skewed).toEqual({ ahead: 1, behind: 1 })
    expect(out.problems).toEqual([])
  })

  it('without maxAgeH only the future is checked', () => {
    expect(
      sanitizeSamples(
        [{ point: 'a.b', ts: NOW - 400 * 86_400_000, value: 1, quality: 'good' }],
        NOW,
        edgeTimeWindow(undefined),
      ).skewed,
    ).toEqual({ ahead: 0, behind: 0 })
  })
})

describe('the skew log', () => {
  it('says when a device starts and stops stamping outside the window, not at every read', () => {
    const lines: string[] = []
    const note = createSkewLog(
      (f, m) => lines.push(`warn ${String(f.device)} ${m}`),
      (f, m) => lines.push(`info ${String(f.device)} ${m}`),
    )
    note('dcs', { ahead: 2, behind: 0 })
    note('dcs', { ahead: 2, behind: 0 })
    note('gas', { ahead: 0, behind: 0 })
    note('dcs', { ahead: 0, behind: 0 })
    expect(lines).toEqual([
      'warn dcs samples stamped outside the time window (device or edge clock stepped?): kept as uncertain, clock_skew',
      'info dcs samples stamped inside the time window again',
    ])
  })
})
