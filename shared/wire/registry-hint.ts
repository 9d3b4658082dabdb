import { createHash } from 'node:crypto'
import { z } from 'zod'
import { PointId } from './ids.ts'

/**
 * The park registry's word on point ownership, told to one edge (issue 19, "bad input": a point
 * id already owned by another edge). Sent by the cloud as a `registry.hint` command after each
 * birth and after each registry change (cloud/ingest/registry-hints.ts); the edge's console
 * checks new point ids against it before it applies anything (edge/registry-hint.ts).
 *
 * It must not disclose other enterprises' point ids to an edge (brief §7): the ids the edge may
 * not claim travel as truncated SHA-256 over a per-message random salt and the id, so the edge
 * can test an id it already has in hand but cannot list or look up the others' ids (a fresh
 * salt per message: no table built for one hint serves the next). The edge's own ids travel in
 * clear (they are in its config already), with the claim policy cloud/ingest/ownership.ts applies.
 */
const HEX = /^[0-9a-f]+$/
export const HINT_HASH_HEX = 32

export const RegistryHint = z.strictObject({
  /** `strict`: an id bound to no edge is refused as well (the cloud would refuse it). */
  policy: z.enum(['strict', 'open']),
  salt: z.string().regex(HEX).length(32),
  /** The ids bound to this edge. */
  own: z.array(PointId).max(100_000),
  /** hintHash(salt, id) of the ids this edge may not claim (bound to another edge, or another enterprise's). */
  foreign: z.array(z.string().regex(HEX).length(HINT_HASH_HEX)).max(200_000),
})
export type RegistryHint = z.infer<typeof RegistryHint>

export function hintHash(salt: string, id: string): string {
  return createHash('sha256').update(`${salt}\n${id}`).digest('hex').slice(0, HINT_HASH_HEX)
}

/** What the registry says of one id for this edge: its own, another's, unbound (refused under strict) or free to claim. */
export type HintVerdict = 'own' | 'foreign' | 'unbound-strict' | 'free'

export function hintVerdictOf(hint: RegistryHint): (id: string) => HintVerdict {
  const own = new Set(hint.own)
  const foreign = new Set(hint.foreign)
  return (id) => {
    if (own.has(id)) return 'own'
    if (foreign.has(hintHash(hint.salt, id))) return 'foreign'
    return hint.policy === 'strict' ? 'unbound-strict' : 'free'
  }
}
