import { describe, expect, it } from 'vitest'
import { parseAddress } from './address.ts'

describe('parseAddress', () => {
  it.each([
    ['hr100', 'holding', 100],
    ['HR0', 'holding', 0],
    ['ir7', 'input', 7],
    ['co12', 'coil', 12],
    ['di3', 'discrete', 3],
    ['hr65535', 'holding', 65535],
    ['40001', 'holding', 0],
    ['40101', 'holding', 100],
    [40101, 'holding', 100],
    ['30001', 'input', 0],
    ['10004', 'discrete', 3],
    ['00013', 'coil', 12],
    ['13', 'coil', 12],
    [1, 'coil', 0],
    ['400101', 'holding', 100],
    ['465536', 'holding', 65535],
    ['300001', 'input', 0],
  ] as const)('%s → %s %d', (input, table, address) => {
    expect(parseAddress(input)).toEqual({ table, address })
  })

  it.each(['hr65536', '40000', '20001', '50001', 'xx10', 'hr', '', '4000001', 'hr-1', '1.5'])(
    'refuses %j with a code and the accepted forms',
    (input) => {
      expect(() => parseAddress(input)).toThrow(
        expect.objectContaining({ code: 'PL_CONFIG_INVALID', hint: expect.stringMatching(/hr100/) }),
      )
    },
  )
})
