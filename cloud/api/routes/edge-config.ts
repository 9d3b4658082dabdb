import type { OpenAPIHono } from '@hono/zod-openapi'
import { MAX_CONFIG_YAML } from '../../../shared/wire/bundle.ts'
import { pushEdgeConfig } from '../../bundles/push.ts'
import type { BundleState, EdgeRecord } from '../../store/store.ts'
import { actorOf, audited } from '../access.ts'
import type { ApiDeps } from '../deps.ts'
import { notFound } from '../errors.ts'
import { IdParams, REFUSALS, createRoute, json, jsonBody, z } from '../openapi/route.ts'

/**
 * Drift (issue 19): the config hash an edge runs (its status messages) against the one the park
 * expects (what it answered the last accepted push with). No accepted push yet: nothing expected,
 * no drift. The last push's outcome and reason are shown with it.
 */
export function bundleView(e: EdgeRecord, b: BundleState | undefined) {
  const expected = b?.expectedHash ?? null
  return {
    expectedConfigHash: expected,
    drift: expected !== null && e.configHash !== expected,
    lastPush: b
      ? {
          issuedAt: b.issuedAt,
          pushedAt: b.pushedAt,
          pushedBy: b.pushedBy,
          outcome: b.outcome,
          error: b.error,
          answeredAt: b.answeredAt,
        }
      : null,
  }
}

const ConfigPush = z
  .strictObject({
    configYaml: z.string().min(1).max(MAX_CONFIG_YAML).optional().openapi({
      description: "the edge's config file; absent: the last one pushed, with the registry's rules of now",
    }),
  })
  .openapi('EdgeConfigPush')

/** POST /api/v1/edges/{id}/config */
const push = createRoute({
  method: 'post',
  path: '/{id}/config',
  tags: ['edges'],
  summary:
    "Push an edge its config: the config text and the registry's alarm rules for its points, signed by the park, applied by the edge with rollback; waits for its answer",
  request: {
    params: IdParams,
    query: z.strictObject({ timeoutS: z.coerce.number().int().min(1).max(120).default(60) }),
    body: jsonBody(ConfigPush),
  },
  responses: {
    200: json("the edge's answer: ok, outcome, the config hash it runs, and the reason when refused"),
    ...REFUSALS,
    404: json('no such edge'),
    504: json('the edge did not answer in time, or the cloud has no broker connection'),
  },
})

export function edgeConfigRoutes(app: OpenAPIHono, deps: ApiDeps): void {
  app.openapi(push, async (c) => {
    const { id } = c.req.valid('param')
    const { timeoutS } = c.req.valid('query')
    const body = c.req.valid('json')
    const edge = (await deps.store.listEdges()).find((e) => e.id === id)
    if (!edge) throw notFound(`no edge ${id}`, 'list the edges with GET /api/v1/edges')
    const answer = await pushEdgeConfig(deps, edge, body.configYaml, actorOf(c), timeoutS * 1000)
    // The audit row keeps what was pushed and how the edge answered, not the config text.
    audited(c, {
      target: `edges/${id}/config`,
      before: { configHash: edge.configHash },
      after: {
        issuedAt: answer.issuedAt,
        rules: answer.rules,
        outcome: answer.outcome,
        configHash: answer.configHash,
        error: answer.error,
      },
    })
    return c.json(answer)
  })
}
