import { createHash } from 'node:crypto'

/**
 * The API description as one HTML page with nothing loaded from elsewhere (no script, no font,
 * no CDN: the park network has no internet). Pure: document in, page out.
 */
interface Operation {
  tags?: string[]
  summary?: string
  description?: string
  security?: unknown[]
  parameters?: Array<{ name: string; in: string; required?: boolean; description?: string; schema?: unknown }>
  requestBody?: { content?: Record<string, { schema?: unknown }> }
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>
}
export interface DocsDocument {
  info: { title: string; version: string; description?: string }
  servers?: Array<{ url: string }>
  tags?: Array<{ name: string; description?: string }>
  paths?: Record<string, Record<string, Operation>>
  components?: { schemas?: Record<string, unknown> }
}

/** The page's stylesheet; the CSP allows exactly this one by its hash (cloud/api/headers.ts). */
export const DOCS_STYLE = `body{font:14px/1.5 system-ui,sans-serif;margin:0 auto;max-width:70em;padding:1em}code,pre{font:12px ui-monospace,monospace}pre{background:#f4f4f4;padding:.4em;margin:0;overflow:auto;max-height:20em}
.op{border-top:1px solid #ccc;padding:.3em 0}.m{display:inline-block;min-width:4em;color:#fff;background:#555;padding:0 .3em;border-radius:3px}.get{background:#2a7}.post{background:#27c}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2em .4em;vertical-align:top;text-align:left}`

/** The page's policy: nothing loads, nothing runs; its one stylesheet is allowed by its hash, not by 'unsafe-inline'. */
export const DOCS_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(DOCS_STYLE).digest('base64')}'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)
const schemaText = (schema: unknown) => escapeHtml(JSON.stringify(schema ?? {}, null, 2))
const anchor = (method: string, path: string) => `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, '-')

function operationHtml(method: string, path: string, op: Operation): string {
  const params = (op.parameters ?? [])
    .map(
      (p) =>
        `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${escapeHtml(p.in)}</td><td>${p.required ? 'yes' : ''}</td><td><pre>${schemaText(p.schema)}</pre></td></tr>`,
    )
    .join('')
  const body = Object.entries(op.requestBody?.content ?? {})
    .map(([type, c]) => `<h4>Body <code>${escapeHtml(type)}</code></h4><pre>${schemaText(c.schema)}</pre>`)
    .join('')
  const responses = Object.entries(op.responses ?? {})
    .map(
      ([status, r]) =>
        `<li><b>${escapeHtml(status)}</b> ${escapeHtml(r.description ?? '')}${Object.keys(r.content ?? {})
          .map((t) => ` <code>${escapeHtml(t)}</code>`)
          .join('')}</li>`,
    )
    .join('')
  return `<section class="op" id="${anchor(method, path)}"><h3><span class="m ${escapeHtml(method)}">${escapeHtml(method.toUpperCase())}</span> <code>${escapeHtml(path)}</code>${op.security?.length === 0 ? ' <small>(no credentials)</small>' : ''}</h3>
<p>${escapeHtml(op.summary ?? '')}</p>${params ? `<table><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th></tr>${params}</table>` : ''}${body}<h4>Responses</h4><ul>${responses}</ul></section>`
}

export function docsPage(doc: DocsDocument): string {
  const base = doc.servers?.[0]?.url ?? ''
  const ops = Object.entries(doc.paths ?? {}).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path: base + path, method, op })),
  )
  const tags = [...(doc.tags ?? []).map((t) => t.name), ...new Set(ops.flatMap((o) => o.op.tags ?? ['other']))].filter(
    (t, i, all) => all.indexOf(t) === i,
  )
  const groups = tags
    .map((tag) => ({ tag, ops: ops.filter((o) => (o.op.tags ?? ['other']).includes(tag)) }))
    .filter((g) => g.ops.length > 0)
  const toc = groups
    .map(
      (g) =>
        `<li>${escapeHtml(g.tag)}<ul>${g.ops.map((o) => `<li><a href="#${anchor(o.method, o.path)}">${escapeHtml(o.method.toUpperCase())} ${escapeHtml(o.path)}</a></li>`).join('')}</ul></li>`,
    )
    .join('')
  const sections = groups
    .map(
      (g) =>
        `<h2>${escapeHtml(g.tag)}</h2><p>${escapeHtml(doc.tags?.find((t) => t.name === g.tag)?.description ?? '')}</p>${g.ops.map((o) => operationHtml(o.method, o.path, o.op)).join('')}`,
    )
    .join('')
  const schemas = Object.entries(doc.components?.schemas ?? {})
    .map(([name, s]) => `<h3 id="schema-${escapeHtml(name)}">${escapeHtml(name)}</h3><pre>${schemaText(s)}</pre>`)
    .join('')
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(doc.info.title)} API ${escapeHtml(doc.info.version)}</title>
<style>${DOCS_STYLE}</style></head><body>
<h1>${escapeHtml(doc.info.title)} API <small>${escapeHtml(doc.info.version)}</small></h1><p>${escapeHtml(doc.info.description ?? '')}</p>
<p>Machine-readable: <a href="${escapeHtml(base)}/openapi.json">openapi.json</a> (OpenAPI 3.1). Send <code>Authorization: Bearer &lt;access token or API key&gt;</code>.</p>
<nav><ul>${toc}</ul></nav>${sections}${schemas ? `<h2>Schemas</h2>${schemas}` : ''}</body></html>`
}
