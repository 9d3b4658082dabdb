import { beforeAll, describe, expect, it, vi } from 'vitest'
import { ErrorCodes } from '../../../shared/errors.ts'
import { Role } from '../../auth/roles.ts'
import { VideoCode } from '../../../shared/wire/camera.ts'

type I18n = typeof import('./i18n.ts')
let i18n: I18n

/** The dictionaries run in a browser: a minimal one for them (no address, nothing stored). */
beforeAll(async () => {
  vi.stubGlobal('location', { search: '' })
  vi.stubGlobal('localStorage', { getItem: () => null, setItem: () => {} })
  vi.stubGlobal('document', { documentElement: { lang: '' } })
  i18n = await import('./i18n.ts')
})

const CJK = /[\u4e00-\u9fff]/
/** Every code a server error or a batch outcome can carry (shared/errors.ts, cloud/api/errors.ts, cloud/store/store.ts). */
const CODES = [...Object.values(ErrorCodes), 'PL_INTERNAL', 'ALARM_STATE_CONFLICT', 'NOT_FOUND', 'BAD_REQUEST']

describe('the dashboard speaks zh-CN for every server code (issue 17)', () => {
  it('maps every error code to a Chinese text and an English one', () => {
    for (const lang of ['zh-CN', 'en'] as const) {
      i18n.setLang(lang)
      for (const code of CODES) {
        const text = i18n.codeText(code, 5)
        expect(text, `${lang} ${code}`).toBeTypeOf('string')
        if (lang === 'zh-CN') expect(text, code).toMatch(CJK)
        else expect(text, code).not.toMatch(CJK)
      }
    }
  })

  it('names every alarm kind, video code and role in Chinese', async () => {
    i18n.setLang('zh-CN')
    // The journal's kind filter is the dashboard's list of kinds: it must offer every kind the server raises.
    const { KINDS } = await import('./pages/journal-query.ts')
    const serverKinds = [
      'HH',
      'H',
      'L',
      'LL',
      'ROC',
      'DIGITAL',
      'STALE',
      'OFFLINE',
      'CLOCK',
      'SECURITY',
      ...VideoCode.options,
    ]
    expect([...KINDS].sort()).toEqual([...serverKinds].sort())
    for (const kind of KINDS) expect(i18n.kindName(kind), kind).toMatch(CJK)
    for (const role of Role.options) expect(i18n.roleName(role), role).toMatch(CJK)
    expect(i18n.kindName('RYRQ')).toBe('RYRQ 人员入侵')
  })
})
