import { LEVEL, NH3, PRESSURE, good, type tempStore } from '../cloud/helpers.ts'

type Store = Awaited<ReturnType<typeof tempStore>>['store']

const MIN = 60_000
/** The gas detectors' area of the fixture (its red warning). */
export const GAS_AREA = 'shilian-nh3-area'

/**
 * What the trend, KPI, completeness and gas-warning pages show in the screens fixture (issue 17):
 * two hours of the level and the pressure every 2 min, the level silent for 20 min with the
 * gap its edge recorded (its disk was full), a pressure H alarm an hour ago that recovered after
 * 4 min (the KPI period's alarms, and an alarm page with its trend), and an open red gas-leak
 * warning of the ammonia tanks' area. All older than the fixture's chattering level (−10 min).
 */
export async function seedPageData(
  store: Store,
  now: number,
  send: (s: ReturnType<typeof good>[]) => Promise<unknown>,
) {
  for (let m = 120; m >= 16; m -= 2) {
    const t = now - m * MIN
    const level = m > 70 || m < 50 ? [good(LEVEL, t, round(5.5 + 0.6 * Math.sin(m / 9)))] : []
    const pressure = m === 60 ? 0.9 : round(0.5 + 0.05 * Math.sin(m / 7))
    await send([...level, good(PRESSURE, t, pressure)])
    if (m === 60) await send([good(PRESSURE, t + 4 * MIN, 0.52)])
  }
  await store.recordGaps(
    'shilian-01',
    [
      {
        reason: 'disk_full',
        fromSeq: 1000,
        throughSeq: 1009,
        batches: 10,
        samples: 600,
        from: now - 70 * MIN,
        to: now - 50 * MIN,
        points: [LEVEL],
        at: now - 50 * MIN,
      },
    ],
    now,
  )
  await seedGasWarning(store, now)
}

const round = (v: number) => Math.round(v * 1000) / 1000

async function seedGasWarning(store: Store, now: number): Promise<void> {
  await store.registry.create('areas', { id: GAS_AREA, enterprise: 'shilian', name: '液氨罐区', kind: 'tank farm' })
  await store.registry.patchPoint(NH3, { area: GAS_AREA })
  const red = now - 20 * MIN
  await store.insertGasWarning({
    area: GAS_AREA,
    enterprise: 'shilian',
    publicArea: false,
    colour: 'red',
    state: 'open',
    openedAt: now - 45 * MIN,
    colourSince: red,
    reasons: ['spread 4'],
    active: [NH3],
    acknowledgedAt: null,
    acknowledgedBy: null,
    noticeDueAt: red + 12 * 60 * MIN,
    noticeSentAt: null,
    report: null,
    clearedAt: null,
    clearedBy: null,
    history: [
      { at: now - 45 * MIN, action: 'opened', colour: 'yellow', reasons: ['gas alarm'], tell: ['duty'] },
      { at: red, action: 'escalated', colour: 'red', reasons: ['spread 4'], tell: ['duty', 'park-leader'] },
    ],
  })
}
