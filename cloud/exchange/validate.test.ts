import { describe, expect, it } from 'vitest'
import { CODE_LISTS, DEFAULT_UNIT_CODES, UNIT } from './codes.ts'
import { formatTime, uuidV5 } from './ids.ts'
import { ALARM_TABLE, TABLES } from './tables.ts'
import { validateRow, type Row } from './validate.ts'

const ID = uuidV5('6f1c1b52-3a57-4f0e-9a3c-52e3b1a7c001', '93:1')
const alarm = (over: Row = {}): Row => ({
  id: ID,
  park_id: 'P',
  parking_lot_code: null,
  alarm_no: '1',
  indicator_id: ID,
  alarm_time: '2026-03-02 09:00:00',
  alarm_content: 'x',
  alarm_type: '02',
  alarm_status: '01',
  disposal_status: '01',
  disposal_time: null,
  clear_time: null,
  disposal_measures: null,
  handler_id: null,
  is_false_alarm: '0',
  ...over,
})

describe('exchange code lists and row validation', () => {
  it('has the spec lists as data: list U with 11 units, every default unit mapping inside it', () => {
    expect(Object.keys(UNIT).sort()).toEqual(['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11'])
    for (const code of Object.values(DEFAULT_UNIT_CODES)) expect(Object.keys(UNIT)).toContain(code)
    expect(CODE_LISTS.videoAlarmType).toHaveProperty('WDAQM')
    for (const t of TABLES) for (const c of t.columns) if (c.codes) expect(CODE_LISTS).toHaveProperty(c.codes)
  })

  it('passes a good row and names each bad field with what to fix', () => {
    expect(validateRow(ALARM_TABLE, alarm(), CODE_LISTS)).toEqual([])
    const problems = validateRow(
      ALARM_TABLE,
      alarm({ alarm_type: '05', alarm_time: '2026-03-02T09:00:00Z', indicator_id: 'tk101', alarm_content: '' }),
      CODE_LISTS,
      { alarm_content: 'describe the alarm' },
    )
    expect(problems.map((p) => p.column)).toEqual(['indicator_id', 'alarm_time', 'alarm_content', 'alarm_type'])
    expect(problems[2]!.message).toBe('报警内容 (alarm_content) is missing: describe the alarm')
    expect(problems[3]!.message).toMatch(/"05" is not in the code list alarmType \(01, 02, 03, 04\)/)
  })

  it('asks for 处置措施 and 处置人 only once an alarm is handled (03)', () => {
    expect(validateRow(ALARM_TABLE, alarm({ disposal_status: '02' }), CODE_LISTS)).toEqual([])
    expect(validateRow(ALARM_TABLE, alarm({ disposal_status: '03' }), CODE_LISTS).map((p) => p.column)).toEqual([
      'disposal_measures',
      'handler_id',
    ])
  })

  it('refuses a column the table does not have', () => {
    expect(validateRow(ALARM_TABLE, alarm({ extra: 1 }), CODE_LISTS)).toEqual([
      { column: 'extra', message: 'jx093_alarm_closure has no column extra' },
    ])
  })

  it('makes stable v5 UUIDs and park-zone times', () => {
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d')
    expect(formatTime(Date.UTC(2026, 2, 2, 1, 2, 3), 'Asia/Shanghai')).toBe('2026-03-02 09:02:03')
  })
})
