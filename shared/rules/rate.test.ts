import { describe, expect, it } from 'vitest'
import { RateConfig, evaluateRate, initialRateState, type RateState } from './rate.ts'

const good = (ts: number, value: number) => ({ ts, value, quality: 'good' as const })

function feed(
  config: Partial<RateConfig> & { limit: number },
  samples: Array<{ ts: number; value: number; quality: 'good' | 'bad' }>,
) {
  const c = RateConfig.parse(config)
  let state: RateState = initialRateState()
  const out: Array<{ rate: number | null; active: boolean }> = []
  for (const s of samples) {
    const r = evaluateRate(c, state, s)
    state = r.state
    out.push({ rate: r.rate === null ? null : Math.round(r.rate * 1000) / 1000, active: state.active })
  }
  return out
}

describe('rate of change', () => {
  it('needs half a window of samples, then reports the rate per minute over the window', () => {
    expect(feed({ limit: 1 }, [good(0, 5), good(20_000, 5.1), good(30_000, 5.2), good(60_000, 5.4)])).toEqual([
      { rate: null, active: false },
      { rate: null, active: false },
      { rate: 0.4, active: false },
      { rate: 0.4, active: false },
    ])
  })

  it('raises at the limit (either direction) and clears below limit − deadband', () => {
    const r = feed({ limit: 1, deadband: 0.2 }, [
      good(0, 10),
      good(30_000, 9.5),
      good(60_000, 9.0),
      good(90_000, 8.55),
      good(120_000, 8.3),
    ])
    expect(r.map((x) => x.active)).toEqual([false, true, true, true, false])
    expect(r[1]?.rate).toBe(-1)
  })

  it('ignores bad, non-numeric and late samples', () => {
    expect(
      feed({ limit: 1 }, [
        good(0, 1),
        { ts: 40_000, value: 100, quality: 'bad' },
        good(30_000, 2),
        good(20_000, 50),
      ]).map((x) => x.rate),
    ).toEqual([null, null, 2, null])
  })

  it('expresses settlement in mm/day', () => {
    const day = 86_400_000
    expect(
      feed({ limit: 1, windowMs: day, perMs: day }, [good(0, 0), good(day / 2, -0.6), good(day, -1.1)]).map(
        (x) => x.rate,
      ),
    ).toEqual([null, -1.2, -1.1])
  })

  it('rejects a deadband as large as the limit', () => {
    expect(RateConfig.safeParse({ limit: 1, deadband: 1 }).success).toBe(false)
  })
})
