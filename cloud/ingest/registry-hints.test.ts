import { describe, expect, it } from 'vitest'
import { buildHint } from './registry-hints.ts'
import type { PointRecord } from '../store/store.ts'
import { decodeCommand, encode } from '../../shared/wire/codec.ts'
import { WIRE_VERSION } from '../../shared/wire/messages.ts'
import { hintHash, hintVerdictOf, RegistryHint } from '../../shared/wire/registry-hint.ts'

const SALT = 'a'.repeat(32)
const point = (id: string, edge: string | null, enterprise: string | null = null) =>
  ({ id, edge, enterprise }) as PointRecord
const storeOf = (points: PointRecord[], claim: 'strict' | 'open' | null = null, enterprise: string | null = null) => ({
  listPoints: async () => points,
  listEdges: async () => [],
  ownershipFacts: async (edge: string) => ({
    edge: { id: edge, site: 's', enterprise, claim },
    points: new Map(),
    cameras: new Map(),
  }),
})

describe('registry hint (issue 19: a point id owned by another edge)', () => {
  const points = [point('a.own', 'A'), point('b.level', 'B'), point('free', null), point('ent2.tank', null, 'ent2')]

  it("discloses no other edge's id: only salted hashes, a fresh salt gives other hashes", async () => {
    const hint = await buildHint(storeOf(points), 'A', 'open', SALT)
    expect(hint.own).toEqual(['a.own'])
    expect(hint.foreign).toEqual([hintHash(SALT, 'b.level')])
    const wire = encode({ v: WIRE_VERSION, id: 'x', edge: 'A', ts: 1, cmd: { type: 'registry.hint', hint } }).toString()
    expect(wire).not.toContain('b.level')
    expect(decodeCommand(Buffer.from(wire)).ok).toBe(true)
    expect(hintHash('b'.repeat(32), 'b.level')).not.toBe(hintHash(SALT, 'b.level'))
  })

  it("open: another edge's id is refused, an unbound one is free, another enterprise's unbound one is refused", async () => {
    const verdict = hintVerdictOf(await buildHint(storeOf(points, null, 'ent1'), 'A', 'open', SALT))
    expect(verdict('a.own')).toBe('own')
    expect(verdict('b.level')).toBe('foreign')
    expect(verdict('free')).toBe('free')
    expect(verdict('never.registered')).toBe('free')
    expect(verdict('ent2.tank')).toBe('foreign')
  })

  it("strict (the edge's own registry entry overrides the config): anything not bound to this edge is refused", async () => {
    const verdict = hintVerdictOf(await buildHint(storeOf(points, 'strict'), 'A', 'open', SALT))
    expect(verdict('a.own')).toBe('own')
    expect(verdict('b.level')).toBe('foreign')
    expect(verdict('free')).toBe('unbound-strict')
    expect(verdict('never.registered')).toBe('unbound-strict')
  })

  it('refuses a malformed hint at the boundary', () => {
    expect(RegistryHint.safeParse({ policy: 'open', salt: SALT, own: [], foreign: ['b.level'] }).success).toBe(false)
    expect(RegistryHint.safeParse({ policy: 'lax', salt: SALT, own: [], foreign: [] }).success).toBe(false)
  })
})
