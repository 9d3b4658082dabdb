import { describe, expect, it } from 'vitest'
import { crc16, dataAnswer, encodeFrame, extractFrames, parseDataTime, parseSegment, wantsAnswer } from './codec.ts'

const RTD =
  'QN=20260706103512345;ST=32;CN=2011;PW=123456;MN=A110000_0001;Flag=5;CP=&&DataTime=20260706103500;w01018-Rtd=12.3,w01018-Flag=N;w21003-Rtd=0.85,w21003-Flag=T&&'

describe('HJ 212-2017 codec', () => {
  // Vectors from data answers published with public HJ 212 implementations (test suites of an
  // HJ 212 gateway and a C++ protocol header), cross-checked with each other.
  it.each([
    ['QN=20260706103512345;ST=91;CN=9014;PW=123456;MN=A110000_0001;Flag=8;CP=&&&&', '0140'],
    ['QN=20201008154743635;ST=91;CN=9014;PW=123456;MN=SD000001;Flag=9;CP=&&QnRtn=1&&', '71C0'],
  ])('CRC16 of %s is %s', (segment, crc) => {
    expect(crc16(segment)).toBe(crc)
  })

  it('frames: ## + 4-digit length + segment + CRC + CRLF, and back', () => {
    const frame = encodeFrame(RTD)
    expect(frame.startsWith(`##${String(RTD.length).padStart(4, '0')}QN=`)).toBe(true)
    expect(frame.endsWith(`${crc16(RTD)}\r\n`)).toBe(true)
    expect(extractFrames(frame)).toEqual({ items: [{ ok: true, segment: RTD }], rest: '' })
  })

  it('reassembles split packets and separates concatenated ones; skips garbage', () => {
    const a = encodeFrame(RTD)
    const b = encodeFrame(RTD.replace('12.3', '12.4'))
    const first = extractFrames(`xx${a.slice(0, 40)}`)
    expect(first.items).toEqual([])
    const second = extractFrames(first.rest + a.slice(40) + b)
    expect(second.items.map((i) => i.ok)).toEqual([true, true])
    expect(second.rest).toBe('')
  })

  it.each([
    ['a wrong CRC', encodeFrame(RTD).replace(/[0-9A-F]{4}\r\n$/, '0000\r\n'), 'bad_crc'],
    ['a length field that is not 4 digits', `##01a5${RTD}0000\r\n`, 'bad_length'],
    ['a length longer than 1024', `##2000${RTD}`, 'too_long'],
    [
      'a length that does not end at CRLF',
      `##${String(RTD.length - 3).padStart(4, '0')}${RTD}${crc16(RTD)}\r\n`,
      'bad_length',
    ],
  ])('rejects %s', (_name, text, reason) => {
    expect(extractFrames(text).items[0]).toMatchObject({ ok: false, reason })
  })

  it('a packet cut short by the next one is rejected, and the next one still read', () => {
    const good = encodeFrame(RTD)
    const cut = good.slice(0, 50)
    const r = extractFrames(cut + good)
    expect(r.items.map((i) => (i.ok ? 'ok' : i.reason))).toEqual(['bad_length', 'ok'])
  })

  it('parses the data segment and the CP block', () => {
    const m = parseSegment(RTD)!
    expect(m).toMatchObject({
      QN: '20260706103512345',
      ST: '32',
      CN: '2011',
      PW: '123456',
      MN: 'A110000_0001',
      flag: 5,
    })
    expect(Object.fromEntries(m.cp)).toEqual({
      DataTime: '20260706103500',
      'w01018-Rtd': '12.3',
      'w01018-Flag': 'N',
      'w21003-Rtd': '0.85',
      'w21003-Flag': 'T',
    })
    expect(wantsAnswer(m.flag)).toBe(true)
    expect(wantsAnswer(4)).toBe(false)
    expect(parseSegment('QN=1;CN=2011;MN=x;CP=&&a=1')).toBeNull()
    expect(parseSegment('QN=1;ST=32;Flag=4;CP=&&&&')).toBeNull() // no CN, no MN
  })

  it('answers with CN=9014 echoing QN, PW and MN', () => {
    const answer = dataAnswer(parseSegment(RTD)!)
    expect(extractFrames(answer).items).toEqual([
      { ok: true, segment: 'QN=20260706103512345;ST=91;CN=9014;PW=123456;MN=A110000_0001;Flag=4;CP=&&&&' },
    ])
  })

  it("reads DataTime at the instrument's UTC offset", () => {
    expect(parseDataTime('20260706103500', '+08:00')).toBe(Date.UTC(2026, 6, 6, 2, 35, 0))
    expect(parseDataTime('20260706103500123', '+08:00')).toBe(Date.UTC(2026, 6, 6, 2, 35, 0, 123))
    expect(parseDataTime('2026-07-06', '+08:00')).toBeNull()
    expect(parseDataTime(undefined, '+08:00')).toBeNull()
  })
})
