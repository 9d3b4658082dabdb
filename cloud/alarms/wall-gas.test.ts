import { describe, expect, it } from 'vitest'
import type { GasWarningRecord } from './gas/model.ts'
import { wallGasWarnings } from './wall.ts'

const warning = (
  id: number,
  colour: GasWarningRecord['colour'],
  openedAt: number,
  active: string[],
): GasWarningRecord => ({
  id,
  area: `area-${id}`,
  enterprise: 'shilian',
  publicArea: false,
  colour,
  state: 'open',
  openedAt,
  colourSince: openedAt,
  reasons: [],
  active,
  acknowledgedAt: null,
  acknowledgedBy: null,
  noticeDueAt: null,
  noticeSentAt: null,
  report: null,
  clearedAt: null,
  clearedBy: null,
  history: [],
})

describe("the wall's gas-leak warnings (issue 18)", () => {
  it('lists open warnings worst colour first, then the oldest, with the area name and the detectors alarming', () => {
    const list = wallGasWarnings(
      [
        warning(1, 'yellow', 100, ['a']),
        warning(2, 'red', 300, ['a', 'b', 'c']),
        warning(3, 'red', 200, []),
        { ...warning(4, 'orange', 50, []), state: 'cleared' },
      ],
      new Map([['area-2', '液氨罐区']]),
    )
    expect(list).toEqual([
      { id: 3, area: 'area-3', areaName: null, colour: 'red', active: 0, since: 200 },
      { id: 2, area: 'area-2', areaName: '液氨罐区', colour: 'red', active: 3, since: 300 },
      { id: 1, area: 'area-1', areaName: null, colour: 'yellow', active: 1, since: 100 },
    ])
  })
})
