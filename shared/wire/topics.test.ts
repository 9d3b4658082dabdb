import { describe, expect, it } from 'vitest'
import { channelFilter, parseTopic, topic } from './topics.ts'

describe('topics', () => {
  it('builds and parses parklink/v1/{site}/{edge}/{channel}', () => {
    const name = topic('huaian-park', 'shilian-01', 'data')
    expect(name).toBe('parklink/v1/huaian-park/shilian-01/data')
    expect(parseTopic(name)).toEqual({ site: 'huaian-park', edge: 'shilian-01', channel: 'data' })
  })

  it('refuses ids that would inject topic levels or wildcards', () => {
    expect(() => topic('park', 'a/b', 'data')).toThrow()
    expect(() => topic('park', '+', 'data')).toThrow()
    expect(() => topic('#', 'e', 'ack')).toThrow()
  })

  it.each([
    'parklink/v1/park/e1',
    'parklink/v2/park/e1/data',
    'parklink/v1/park/e1/unknown',
    'parklink/v1/park/e1/data/extra',
    'other/v1/park/e1/data',
  ])('does not parse %s', (name) => {
    expect(parseTopic(name)).toBeNull()
  })

  it('builds subscription filters with a single-level wildcard for the edge', () => {
    expect(channelFilter('status')).toBe('parklink/v1/+/+/status')
    expect(channelFilter('data', 'huaian-park')).toBe('parklink/v1/huaian-park/+/data')
  })
})
