import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { ErrorCodes } from '../../shared/errors.ts'
import { createAtRestCipher, isSealed, sealedKeyId } from './cipher.ts'

const key = (id: string) => ({ id, secret: randomBytes(32) })

describe('at-rest cipher (SM4-CBC + HMAC-SM3)', () => {
  const k1 = key('00000001')
  const plain = Buffer.from('{"point":"tk101.level","value":7321.125}', 'utf8')

  it('seals to a record naming its key that opens to the same bytes, without the clear text in it', () => {
    const c = createAtRestCipher([k1], 'k')
    const sealed = c.seal(plain, 'p')
    expect(isSealed(sealed)).toBe(true)
    expect(sealedKeyId(sealed)).toBe('00000001')
    expect(sealed.includes(Buffer.from('7321.125'))).toBe(false)
    expect(c.open(sealed, 'p')).toEqual(plain)
    // A random IV: the same data sealed twice differs.
    expect(c.seal(plain, 'p').equals(sealed)).toBe(false)
  })

  it('refuses a record of another purpose, an altered record, and one sealed with another key', () => {
    const c = createAtRestCipher([k1], 'k')
    const sealed = c.seal(plain, 'p')
    expect(() => c.open(sealed, 'q')).toThrow(expect.objectContaining({ code: ErrorCodes.AT_REST_KEY }))
    const flipped = Buffer.from(sealed)
    flipped[30] = flipped[30]! ^ 1
    expect(() => c.open(flipped, 'p')).toThrow(/does not verify/)
    // Same id, other secret (a key file from another edge that happens to share nothing but the id).
    expect(() => createAtRestCipher([{ id: k1.id, secret: randomBytes(32) }], 'k').open(sealed, 'p')).toThrow(
      /does not verify under key 00000001/,
    )
    expect(() => createAtRestCipher([key('00000002')], 'k').open(sealed, 'p')).toThrow(
      /sealed with key 00000001, which the key file does not hold/,
    )
  })

  it('after a rotation seals with the new key and still opens records of the old one', () => {
    const old = createAtRestCipher([k1], 'k').seal(plain, 'p')
    const k2 = key('00000002')
    const rotated = createAtRestCipher([k2, k1], 'k')
    expect(sealedKeyId(rotated.seal(plain, 'p'))).toBe('00000002')
    expect(rotated.open(old, 'p')).toEqual(plain)
  })

  it('a message never contains key material', () => {
    expect.assertions(2)
    const c = createAtRestCipher([k1], '/etc/parklink/at-rest.key')
    try {
      createAtRestCipher([key('00000009')], 'k').open(c.seal(plain, 'p'), 'p')
    } catch (err) {
      const text = `${(err as Error).message} ${(err as { hint?: string }).hint}`
      expect(text).not.toContain(k1.secret.toString('base64'))
      expect(text).not.toContain(k1.secret.toString('hex'))
    }
  })
})
