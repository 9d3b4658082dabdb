import type { OpenAPIHono } from '@hono/zod-openapi'
import { VERSION } from '../../version.ts'
import { DOCS_CSP, docsPage, type DocsDocument } from './docs-page.ts'

export const TAGS = [
  { name: 'health', description: 'service state, for probes' },
  { name: 'auth', description: 'log in, refresh, log out, change a password' },
  { name: 'edges', description: 'the edge gateways and what they dropped' },
  { name: 'points', description: "the registry's points, latest values and history" },
  { name: 'alarms', description: "alarms, the board, the park's workflow and ISA-18.2 overlays" },
  { name: 'maintenance-windows', description: 'maintenance windows (故障点位申请)' },
  { name: 'gas-warnings', description: 'gas-leak warnings per area (气体泄漏预警)' },
  { name: 'cameras', description: 'cameras, alarm snapshots' },
  { name: 'users', description: 'accounts (security administrator)' },
  { name: 'api-keys', description: 'API keys for machine clients (security administrator)' },
  { name: 'audit', description: 'the append-only audit log (auditor)' },
]

/**
 * GET {base}/openapi.json (OpenAPI 3.1, built from the declared routes, so it never drifts from
 * them) and GET {base}/docs (the same, as one self-contained HTML page: the
 * park network has no internet, so nothing is loaded from elsewhere). Both hold no data: public
 * in the access table.
 */
export function registerDocs(api: OpenAPIHono, base: string, version: string = VERSION): void {
  // Built at the first request (every route is declared by then) and kept: ≈ 20 ms each time otherwise.
  let built: ReturnType<typeof api.getOpenAPI31Document> | undefined
  const document = () =>
    (built ??= api.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'parklink',
        version,
        description:
          "The parklink cloud API: the park's safety telemetry, alarms and registry. Times are epoch milliseconds; errors are `{error: {code, message, hint}}`.",
      },
      servers: [{ url: base }],
      tags: TAGS,
      security: [{ bearer: [] }],
    }))
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'an access token from POST /auth/login, or an API key',
  })
  api.get('/openapi.json', (c) => c.json(document()))
  api.get('/docs', (c) => {
    // Stricter than the service-wide policy (cloud/api/headers.ts, which keeps this one): nothing but its own stylesheet, by hash.
    c.header('content-security-policy', DOCS_CSP)
    // The page reads the parts of the document it shows (DocsDocument); the generator's types are wider.
    return c.html(docsPage(document() as unknown as DocsDocument))
  })
}
