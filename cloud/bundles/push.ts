import { ErrorCodes, ParklinkError, errorMessage } from '../../shared/errors.ts'
import type { ConfigBundle } from '../../shared/wire/bundle.ts'
import { signBundle } from '../../shared/wire/bundle-signature.ts'
import type { CommandResponse } from '../../shared/wire/command.ts'
import { edgeRuleSet } from '../alarms/engine/edge-rules.ts'
import type { ApiDeps } from '../api/deps.ts'
import type { EdgeRecord } from '../store/store.ts'

export interface PushAnswer {
  edge: string
  issuedAt: number
  rules: number
  ok: boolean
  outcome: string | null
  configHash: string | null
  error: { code: string; message: string } | null
}

/**
 * Pushes one edge its config bundle (issue 19): the config text given (or the last one pushed),
 * the alarm rules of the points it owns generated from the registry now, issued at a time after
 * any earlier bundle of that edge, signed with the park's key and sent as `config.push` over the
 * command channel. The push and the edge's answer are recorded; an accepted push sets the config
 * hash the park expects from that edge (drift).
 */
export async function pushEdgeConfig(
  deps: ApiDeps,
  edge: EdgeRecord,
  configYaml: string | undefined,
  actor: string,
  timeoutMs: number,
): Promise<PushAnswer> {
  const bundles = deps.bundles
  if (!bundles)
    throw new ParklinkError(ErrorCodes.BUNDLE_NOT_ENABLED, 'the cloud has no bundle signing key', {
      hint: 'set bundles.signingKeyFile in the cloud config to the park signing key',
    })
  const last = (await deps.store.bundleStates()).find((b) => b.edge === edge.id) ?? null
  const yaml = configYaml ?? last?.configYaml
  if (yaml === undefined)
    throw new ParklinkError(ErrorCodes.BAD_REQUEST, `no config was pushed to edge ${edge.id} yet`, {
      hint: 'send its config text (configYaml) with the first push',
    })
  const rules = edgeRuleSet(await deps.store.edgeRulePoints(edge.id), bundles)
  const issuedAt = Math.max(deps.clock.now(), (last?.issuedAt ?? 0) + 1)
  const bundle: ConfigBundle = { v: 1, edge: edge.id, issuedAt, configYaml: yaml, rules }
  const signed = signBundle(bundle, bundles.signer)
  await deps.store.recordBundlePush(edge.id, { issuedAt, configYaml: yaml, at: deps.clock.now(), by: actor })
  const pending = deps.commandEdge?.(edge.site, edge.id, { type: 'config.push', bundle: signed }, timeoutMs) ?? null
  if (pending === null)
    throw new ParklinkError(
      ErrorCodes.EDGE_UNREACHABLE,
      'the cloud has no broker connection: no push can reach an edge',
      {
        hint: 'see mqtt in GET /api/v1/health',
      },
    )
  let answer: CommandResponse
  try {
    answer = await pending
  } catch (err) {
    throw new ParklinkError(ErrorCodes.EDGE_UNREACHABLE, errorMessage(err), {
      cause: err,
      hint: 'is the edge online (GET /api/v1/edges)? Its answer, if it comes later, is not recorded: push again',
    })
  }
  const result = answer.result?.type === 'config.push' ? answer.result : null
  const error = answer.error ?? null
  await deps.store.recordBundleAnswer(edge.id, issuedAt, {
    outcome: result?.outcome ?? (answer.ok ? 'applied' : 'refused'),
    configHash: result?.configHash ?? null,
    error,
    at: deps.clock.now(),
  })
  return {
    edge: edge.id,
    issuedAt,
    rules: rules.points.length,
    ok: answer.ok,
    outcome: result?.outcome ?? null,
    configHash: result?.configHash ?? null,
    error,
  }
}
