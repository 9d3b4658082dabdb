import type { ClaimPolicy } from '../config.ts'
import type { EdgeBinding, Owner, Store } from '../store/store.ts'

/**
 * Who may send what (issue 13; README "Security model"). The registry binds each edge to one
 * site and one enterprise (or the park), and each point and camera to the edge that may send it
 * (`points.edge`, `cameras.edge`). For one edge and one message:
 * - a point (camera) bound to this edge is its own;
 * - one bound to another edge is foreign, whatever the policy;
 * - one bound to no edge (unknown, or registered without `edge`) may be claimed only when the
 *   edge's claim policy is `open` (its registry entry's `claim`, else the config's
 *   `registry.claimUnknownPoints`; an edge not in the registry has the config's) and, when the
 *   point is registered to an enterprise, the edge belongs to that enterprise or to the park;
 *   otherwise it is foreign;
 * - a registered edge speaking under another site than its own is refused whole (site_mismatch).
 * An edge not in the registry is not refused as such: it may send the points and cameras already
 * bound to it (e.g. from before the registry knew edges) and, under `open`, claim unbound ones;
 * under `strict` it claims nothing, so everything else it sends is foreign (and a security event).
 * Its site is not checked (it has none registered): register it to bind its site.
 * The facts are cached; the cache is dropped on every registry change (`invalidate`).
 */
export type Judgement = 'own' | 'claim' | 'foreign'

export interface Verdict {
  /** The site the registry binds the edge to, when the topic names another one. */
  siteMismatch: string | null
  point(id: string): Judgement
  camera(id: string): Judgement
}

export interface Ownership {
  judge(site: string, edge: string, points: Iterable<string>, cameras: Iterable<string>): Promise<Verdict>
  /** After the store wrote a message: the points and cameras it claimed are this edge's now. */
  claimed(edge: string, points: Iterable<string>, cameras: Iterable<string>): void
  /** The registry changed (an edge entry, a point or camera moved): read everything again. */
  invalidate(): void
}

export interface OwnershipOptions {
  facts: Store['ownershipFacts']
  /** The config's `registry.claimUnknownPoints`. */
  policy: ClaimPolicy
  /** Entries kept per cache before it is dropped and read again (bounds memory against invented ids). */
  maxCached?: number
}

const UNKNOWN: Owner = { edge: null, enterprise: null }

export function createOwnership(options: OwnershipOptions): Ownership {
  const max = options.maxCached ?? 100_000
  const edges = new Map<string, EdgeBinding | null>()
  const points = new Map<string, Owner>()
  const cameras = new Map<string, Owner>()

  const missing = (cache: Map<string, Owner>, ids: Iterable<string>) => [...new Set(ids)].filter((id) => !cache.has(id))
  const remember = (cache: Map<string, Owner>, ids: readonly string[], found: Map<string, Owner>) => {
    if (cache.size + ids.length > max) cache.clear()
    for (const id of ids) cache.set(id, found.get(id) ?? UNKNOWN)
  }

  function judgeOne(edge: string, binding: EdgeBinding | null, owner: Owner): Judgement {
    if (owner.edge === edge) return 'own'
    if (owner.edge !== null) return 'foreign'
    const policy = binding?.claim ?? options.policy
    if (policy !== 'open') return 'foreign'
    // An enterprise's edge never claims another enterprise's registered point (the park's edge may).
    const enterprise = binding?.enterprise ?? null
    return owner.enterprise === null || enterprise === null || owner.enterprise === enterprise ? 'claim' : 'foreign'
  }

  return {
    async judge(site, edge, pointIds, cameraIds) {
      const p = missing(points, pointIds)
      const c = missing(cameras, cameraIds)
      if (p.length > 0 || c.length > 0 || !edges.has(edge)) {
        const facts = await options.facts(edge, p, c)
        if (edges.size >= max) edges.clear()
        edges.set(edge, facts.edge)
        remember(points, p, facts.points)
        remember(cameras, c, facts.cameras)
      }
      const binding = edges.get(edge) ?? null
      // Read now: a cache dropped by a later judge must not change this verdict's answers.
      const pointOwners = new Map([...new Set(pointIds)].map((id) => [id, points.get(id) ?? UNKNOWN]))
      const cameraOwners = new Map([...new Set(cameraIds)].map((id) => [id, cameras.get(id) ?? UNKNOWN]))
      return {
        siteMismatch: binding && binding.site !== site ? binding.site : null,
        point: (id) => judgeOne(edge, binding, pointOwners.get(id) ?? points.get(id) ?? UNKNOWN),
        camera: (id) => judgeOne(edge, binding, cameraOwners.get(id) ?? cameras.get(id) ?? UNKNOWN),
      }
    },
    claimed(edge, pointIds, cameraIds) {
      for (const id of pointIds) points.set(id, { edge, enterprise: points.get(id)?.enterprise ?? null })
      for (const id of cameraIds) cameras.set(id, { edge, enterprise: cameras.get(id)?.enterprise ?? null })
    },
    invalidate() {
      edges.clear()
      points.clear()
      cameras.clear()
    },
  }
}
