import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import { errorMessage } from '../../shared/errors.ts'
import { hintHash, type RegistryHint } from '../../shared/wire/registry-hint.ts'
import type { ClaimPolicy } from '../config.ts'
import type { Store } from '../store/store.ts'
import type { CommandChannel } from './commands.ts'

/**
 * Tells each edge which point ids it must not claim (issue 19, shared/wire/registry-hint.ts), so
 * the edge's console refuses them by row before the cloud would refuse their data (ownership.ts).
 * Sent as a `registry.hint` command on the command channel: sealed like every command (crypto.ts),
 * not retained (the next birth brings a fresh one), QoS 1. After each birth, and to every online
 * edge after a registry change (the registry API's `invalidate`).
 */
export interface RegistryHints {
  /** An edge was born: tell it now. */
  born(site: string, edge: string): void
  /** The registry changed: tell every edge online. */
  changed(): void
}

export interface RegistryHintOptions {
  store: Pick<Store, 'listPoints' | 'ownershipFacts' | 'listEdges'>
  commands: Pick<CommandChannel, 'send'>
  /** The config's `registry.claimUnknownPoints` (an edge's own registry entry may override it). */
  policy: ClaimPolicy
  log: Logger
  /** The per-message salt (default 16 random bytes, hex). */
  salt?: () => string
}

/** The hint for one edge, with the same facts and rules as ownership.ts's judgement. */
export async function buildHint(
  store: RegistryHintOptions['store'],
  edge: string,
  defaultPolicy: ClaimPolicy,
  salt: string,
): Promise<RegistryHint> {
  const binding = (await store.ownershipFacts(edge, [], [])).edge
  const policy = binding?.claim ?? defaultPolicy
  const enterprise = binding?.enterprise ?? null
  const own: string[] = []
  const foreign: string[] = []
  for (const p of await store.listPoints({ scope: 'all' })) {
    if (p.edge === edge) own.push(p.id)
    // Bound to another edge; or unbound but another enterprise's (never claimable by this one, ownership.ts).
    else if (p.edge !== null || (enterprise !== null && p.enterprise !== null && p.enterprise !== enterprise))
      foreign.push(hintHash(salt, p.id))
  }
  // Sorted, so the order says nothing about when or where an id was registered.
  return { policy, salt, own: own.sort(), foreign: foreign.sort() }
}

export function createRegistryHints(options: RegistryHintOptions): RegistryHints {
  const salt = options.salt ?? (() => randomBytes(16).toString('hex'))
  const tell = (site: string, edge: string) =>
    void buildHint(options.store, edge, options.policy, salt())
      .then((hint) => options.commands.send(site, edge, { type: 'registry.hint', hint }))
      .catch((err: unknown) =>
        options.log.warn(
          { edge, err: errorMessage(err) },
          'registry hint not sent: the edge console cannot check ownership',
        ),
      )
  return {
    born: tell,
    changed() {
      void options.store
        .listEdges()
        .then((edges) => {
          for (const e of edges) if (e.online) tell(e.site, e.id)
        })
        .catch((err: unknown) => options.log.warn({ err: errorMessage(err) }, 'registry hints not sent to the edges'))
    },
  }
}
