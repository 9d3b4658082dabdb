import { describe, expect, it } from 'vitest'
import { T0, manualClock } from '../../test/cloud/helpers.ts'
import { ThrottledError, createLoginThrottle, throttleKey, type LoginThrottleConfig } from './throttle.ts'

const config: LoginThrottleConfig = {
  perAddress: { freeFailures: 3, windowS: 600, baseDelayS: 10, maxDelayS: 35 },
  global: { freeFailures: 10, windowS: 60, baseDelayS: 1, maxDelayS: 5 },
  maxAddresses: 100,
}
const refusal = (fn: () => unknown): ThrottledError => {
  try {
    fn()
  } catch (err) {
    if (err instanceof ThrottledError) return err
    throw err
  }
  throw new Error('not throttled')
}

describe('login throttle', () => {
  it('lets the free failures through, then makes each next attempt wait twice as long, up to the ceiling', () => {
    const clock = manualClock(T0)
    const t = createLoginThrottle(config, clock)
    for (let i = 0; i < 3; i++) expect(t.reserve('10.0.0.1').nextWaitS).toBe(0)
    expect(t.reserve('10.0.0.1').nextWaitS).toBe(10) // the 4th passes, the 5th waits 10 s
    expect(refusal(() => t.reserve('10.0.0.1'))).toMatchObject({
      code: 'PL_TOO_MANY_REQUESTS',
      retryAfterS: 10,
      scope: 'address',
    })
    clock.advance(9_500)
    expect(refusal(() => t.reserve('10.0.0.1')).retryAfterS).toBe(1)
    clock.advance(500)
    expect(t.reserve('10.0.0.1').nextWaitS).toBe(20)
    clock.advance(20_000)
    expect(t.reserve('10.0.0.1').nextWaitS).toBe(35) // 40 s capped at 35
    expect(t.failures('10.0.0.1')).toBe(6)
    // Another address is not held up by this one.
    expect(t.reserve('10.0.0.2').nextWaitS).toBe(0)
  })

  it('a refused attempt is not counted; a success gives its reservation back; the window forgets', () => {
    const clock = manualClock(T0)
    const t = createLoginThrottle(config, clock)
    for (let i = 0; i < 4; i++) t.reserve('10.0.0.1')
    refusal(() => t.reserve('10.0.0.1'))
    expect(t.failures('10.0.0.1')).toBe(4)
    clock.advance(10_000)
    t.reserve('10.0.0.1').release()
    expect(t.failures('10.0.0.1')).toBe(4)
    // The success's own failure is given back: the wait is the one the 4 failures imply, from now.
    expect(refusal(() => t.reserve('10.0.0.1')).retryAfterS).toBe(10)
    clock.advance(10_000)
    expect(t.reserve('10.0.0.1').nextWaitS).toBe(20)
    clock.advance(600_000)
    expect(t.failures('10.0.0.1')).toBe(0)
    expect(t.reserve('10.0.0.1').nextWaitS).toBe(0)
  })

  it('the global rule holds everyone back once failures from all addresses pass its allowance', () => {
    const clock = manualClock(T0)
    const t = createLoginThrottle(config, clock)
    for (let i = 0; i < 11; i++) t.reserve(`10.0.1.${i}`)
    expect(refusal(() => t.reserve('192.168.7.7'))).toMatchObject({ scope: 'global', retryAfterS: 1 })
    expect(t.failures()).toBe(11)
    clock.advance(1_000)
    expect(t.reserve('192.168.7.7').nextWaitS).toBe(0)
  })

  it('counts an IPv6 address by its /64 (one host holds a whole /64), IPv4 as it is', () => {
    expect(throttleKey('2001:db8:0:1::7')).toBe('2001:db8:0:1::/64')
    expect(throttleKey('2001:0DB8:0000:0001:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:0:1::/64')
    expect(throttleKey('::1')).toBe('0:0:0:0::/64')
    expect(throttleKey('fe80::1')).toBe('fe80:0:0:0::/64')
    expect(throttleKey('10.0.0.1')).toBe('10.0.0.1')
    expect(throttleKey('unknown')).toBe('unknown')
    const t = createLoginThrottle(config, manualClock(T0))
    for (let i = 1; i <= 4; i++) t.reserve(`2001:db8:0:1::${i}`)
    expect(refusal(() => t.reserve('2001:db8:0:1:ffff::9')).scope).toBe('address')
    expect(t.reserve('2001:db8:0:2::1').nextWaitS).toBe(0)
  })

  it('remembers at most maxAddresses (the oldest forgotten first)', () => {
    const t = createLoginThrottle({ ...config, global: { ...config.global, freeFailures: 1_000 } }, manualClock(T0))
    for (let i = 0; i < 150; i++) t.reserve(`10.9.${i}.1`)
    expect(t.addresses).toBe(100)
    expect(t.failures('10.9.0.1')).toBe(0)
    expect(t.failures('10.9.149.1')).toBe(1)
  })
})
