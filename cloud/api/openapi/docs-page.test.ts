import { describe, expect, it } from 'vitest'
import { docsPage } from './docs-page.ts'

describe('docsPage', () => {
  const doc = {
    info: { title: 'parklink', version: '1.2.3', description: 'the <park>' },
    servers: [{ url: '/api/v1' }],
    tags: [{ name: 'alarms', description: 'alarms' }],
    paths: {
      '/alarms/{id}/triage': {
        post: {
          tags: ['alarms'],
          summary: 'Triage <b>now</b>',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: {
            content: {
              'application/json': { schema: { type: 'object', properties: { verdict: { enum: ['valid', 'false'] } } } },
            },
          },
          responses: { 200: { description: 'the alarm' }, 409: { description: 'does not fit' } },
        },
      },
      '/health': { get: { summary: 'state', security: [], responses: { 200: { description: 'ok' } } } },
    },
    components: { schemas: { Error: { type: 'object' } } },
  }

  it('shows each operation with its full path, parameters, body schema and responses', () => {
    const html = docsPage(doc)
    expect(html).toContain('<code>/api/v1/alarms/{id}/triage</code>')
    expect(html).toContain('href="#post-api-v1-alarms-id-triage"')
    expect(html).toMatch(/<td><code>id<\/code><\/td><td>path<\/td><td>yes<\/td>/)
    expect(html).toContain('&#34;verdict&#34;')
    expect(html).toMatch(/<b>409<\/b> does not fit/)
    expect(html).toMatch(/\/api\/v1\/health<\/code> <small>\(no credentials\)<\/small>/)
    // An operation without a tag is still listed, under "other"; the schemas follow.
    expect(html).toMatch(/<h2>other<\/h2>/)
    expect(html).toContain('id="schema-Error"')
  })

  it('escapes every text it takes from the document', () => {
    const html = docsPage(doc)
    expect(html).not.toContain('<b>now</b>')
    expect(html).toContain('Triage &#60;b&#62;now&#60;/b&#62;')
    expect(html).toContain('the &#60;park&#62;')
  })
})
