import { describe, expect, it } from 'vitest'
import { liveEnd } from './close-codes.ts'

/** How the relay's closes (edge/live/live-protocol.ts, relay.ts) read to the operator. */
describe('why a live stream ended', () => {
  it('tells the refusals apart by code and reason', () => {
    expect(liveEnd(4401, 'token_expired', true)).toBe('liveTokenExpired')
    expect(liveEnd(4401, 'token_invalid', true)).toBe('liveTokenRefused')
    expect(liveEnd(4401, 'token_missing', true)).toBe('liveTokenRefused')
    expect(liveEnd(4403, 'origin_refused', true)).toBe('liveOriginRefused')
    expect(liveEnd(4403, 'token_camera', true)).toBe('liveWrongCamera')
    expect(liveEnd(4404, 'unknown_camera', true)).toBe('liveUnknownCamera')
    expect(liveEnd(4503, 'stream_limit 4/4', true)).toBe('liveTooMany')
  })

  it('says whether the camera sent nothing, the relay stopped, or the line failed', () => {
    expect(liveEnd(1011, 'the stream did not start within 10000 ms', true)).toBe('liveNoVideo')
    expect(liveEnd(1000, 'stream stopped', true)).toBe('liveEnded')
    expect(liveEnd(1006, '', false)).toBe('liveUnreachable')
    expect(liveEnd(1006, '', true)).toBe('liveDropped')
    expect(liveEnd(4500, 'check_failed', true)).toBe('liveFailed')
  })
})
