import type { OpenAPIHono } from '@hono/zod-openapi'
import { ErrorCodes, ParklinkError } from '../../../shared/errors.ts'
import { HttpRefusals } from '../../metrics.ts'
import { PLAN_IMAGE_MAX_BYTES, sniffPlanImage } from '../../registry/plan-image.ts'
import { actorOf, audited } from '../access.ts'
import type { ApiDeps } from '../deps.ts'
import { notFound } from '../errors.ts'
import { REFUSALS, apiRouter, createRoute, json, z } from '../openapi/route.ts'

const TAG = ['registry']
const UPLOAD_HINT =
  'send the image itself as the body (curl --data-binary @plan.png -H "Content-Type: image/png"): PNG, JPEG or SVG without scripts'

const routes = {
  put: createRoute({
    method: 'put',
    path: '/image',
    tags: TAG,
    summary: `The park plan image the wall draws over (PNG, JPEG or SVG, at most ${PLAN_IMAGE_MAX_BYTES} bytes; audited)`,
    description: 'Body: the image bytes. Its type is read from its first bytes, not from the name or Content-Type.',
    request: { query: z.strictObject({}) },
    responses: {
      201: json('what was stored: type, bytes, sha256, when, by whom'),
      ...REFUSALS,
      400: json('not a PNG, JPEG or SVG, or an SVG with a script'),
      413: json('larger than the limit'),
    },
  }),
  get: createRoute({
    method: 'get',
    path: '/image',
    tags: TAG,
    summary: 'The park plan image',
    request: { query: z.strictObject({}) },
    responses: {
      200: {
        description: 'the image',
        content: {
          'image/png': { schema: z.string().openapi({ format: 'binary' }) },
          'image/jpeg': { schema: z.string().openapi({ format: 'binary' }) },
          'image/svg+xml': { schema: z.string() },
        },
      },
      ...REFUSALS,
      404: json('no plan image uploaded'),
    },
  }),
}

/**
 * /api/v1/plan/image (issue 17): the park administrator uploads the plan (an image the park
 * draws or exports from its CAD; no map tiles reach the park network), everyone who sees the
 * wall fetches it. An SVG is served under a CSP that runs nothing and loads nothing.
 */
export function planRoutes(deps: ApiDeps): OpenAPIHono {
  const app = apiRouter()
  app.openapi(routes.put, async (c) => {
    const body = new Uint8Array(await c.req.arrayBuffer())
    const sniffed = sniffPlanImage(body)
    if (!sniffed.ok) {
      deps.metrics.http.refused[HttpRefusals.PLAN_IMAGE_REFUSED]++
      const tooLarge = body.length > PLAN_IMAGE_MAX_BYTES
      throw new ParklinkError(
        tooLarge ? ErrorCodes.PAYLOAD_TOO_LARGE : ErrorCodes.BAD_REQUEST,
        `plan image refused: ${sniffed.reason}`,
        { hint: tooLarge ? `make the image smaller than ${PLAN_IMAGE_MAX_BYTES} bytes` : UPLOAD_HINT },
      )
    }
    const before = await deps.store.plan.info()
    const after = await deps.store.plan.put(body, {
      type: sniffed.type,
      uploadedAt: deps.clock.now(),
      uploadedBy: actorOf(c),
    })
    audited(c, { target: 'plan/image', before, after })
    return c.json(after, 201)
  })
  app.openapi(routes.get, async (c) => {
    const found = await deps.store.plan.read()
    if (!found)
      throw notFound('no plan image uploaded', 'the park administrator uploads one with PUT /api/v1/plan/image')
    return c.body(new Uint8Array(found.body), 200, {
      'Content-Type': found.image.type,
      'Content-Length': String(found.body.length),
      // An SVG opened on its own runs nothing and fetches nothing.
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox",
      ETag: `"${found.image.sha256}"`,
    })
  })
  return app
}
