import type { Context, Hono } from 'hono'
import { z } from 'zod'
import { ErrorCodes, ParklinkError, errorMessage } from '../../../shared/errors.ts'
import { pickLang } from '../i18n.ts'
import { DeviceDraft } from './drafts.ts'
import { crossSiteReason } from './guard.ts'
import { configurePage } from './page.ts'
import { templateCsv, templateXlsx } from './template.ts'
import type { ConfigEditor, Who } from './types.ts'

/**
 * The console's configuration routes: the page (/config) and its JSON API under /api/config.
 * Every route needs a valid session (the console's one role: whoever holds the console
 * password configures this edge); every POST must also come from the console's own page
 * (guard.ts). Reads of devices (test-read, scan, browse) never write to them.
 */
export const IMPORT_PATH = '/api/config/import'

type Env = { Variables: { nonce: string } }

export interface ConfigureRouteDeps {
  editor: ConfigEditor
  /** The session's user and address; null when not logged in. */
  who(c: Context<Env>): Who | null
}

const fail = (c: Context, status: 400 | 401 | 403 | 404 | 409, code: string, message: string, hint: string) =>
  c.json({ error: { code, message, hint } }, status)

const TestRead = z.strictObject({ device: DeviceDraft, point: z.string().min(1).max(256) })
const Scan = z.strictObject({
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65535).default(502),
  from: z.number().int().min(0).max(255).default(1),
  to: z.number().int().min(0).max(255).default(247),
  timeoutMs: z.number().int().min(50).max(10_000).default(300),
})
const Browse = z.strictObject({ device: DeviceDraft, nodeId: z.string().max(512).optional() })

export function mountConfigure(app: Hono<Env>, deps: ConfigureRouteDeps): void {
  const { editor } = deps
  app.get('/config', (c) => {
    const lang = pickLang(c.req.query('lang'))
    if (!deps.who(c)) return c.redirect(`/login?lang=${lang}`, 303)
    return c.html(configurePage(lang, c.get('nonce')))
  })
  app.use('/api/config/*', async (c, next) => {
    if (!deps.who(c))
      return fail(c, 401, ErrorCodes.UNAUTHENTICATED, 'log in first', 'open / and log in with the console password')
    if (c.req.method !== 'GET') {
      const reason = crossSiteReason(c)
      if (reason)
        return fail(c, 403, ErrorCodes.FORBIDDEN, reason, 'change the configuration from the console page itself')
    }
    await next()
  })
  // A refused upload or body (a ParklinkError) is a 400 with its code and hint, not a 500.
  const refusing =
    (handler: (c: Context<Env>) => Promise<Response>) =>
    async (c: Context<Env>): Promise<Response> => {
      try {
        return await handler(c)
      } catch (err) {
        if (err instanceof ParklinkError) return c.json(errorJson(err), 400)
        throw err
      }
    }
  const body = async <T>(c: Context, schema: z.ZodType<T>): Promise<T> => {
    const parsed = schema.safeParse(await c.req.json().catch(() => undefined))
    if (!parsed.success) {
      const i = parsed.error.issues[0]!
      throw new ParklinkError(ErrorCodes.BAD_REQUEST, `${i.path.join('.') || 'body'}: ${i.message}`, {
        hint: 'send what the console page sends (reload the page)',
      })
    }
    return parsed.data
  }
  const proposed = (c: Context, r: Awaited<ReturnType<ConfigEditor['proposeDevice']>>) => {
    if (r.ok) {
      applyAfterResponse(c, () => editor.applyPending())
      return c.json(r, 202)
    }
    if ('busy' in r)
      return fail(
        c,
        409,
        ErrorCodes.STATE_CONFLICT,
        'a change is being applied',
        'wait until the change log shows its outcome, then try again',
      )
    return c.json(r, 422)
  }

  app.get('/api/config/devices', (c) => c.json({ devices: editor.devices() }))
  app.get('/api/config/changes', (c) => c.json({ changes: editor.changes() }))
  app.post(
    '/api/config/devices',
    refusing(async (c) => proposed(c, await editor.proposeDevice(await body(c, DeviceDraft), deps.who(c)!))),
  )
  app.post(
    '/api/config/test-read',
    refusing(async (c) => {
      const { device, point } = await body(c, TestRead)
      try {
        return c.json(await editor.testRead(device, point))
      } catch (err) {
        return c.json(errorJson(err), 400)
      }
    }),
  )
  app.post(
    '/api/config/scan',
    refusing(async (c) => {
      const s = await body(c, Scan)
      const units = Array.from({ length: Math.max(0, s.to - s.from + 1) }, (_, i) => s.from + i)
      return c.json(editor.startScan({ host: s.host, port: s.port }, units, s.timeoutMs), 202)
    }),
  )
  app.get('/api/config/scan/:id', (c) => {
    const job = editor.scan(c.req.param('id'))
    return job ? c.json(job) : fail(c, 404, ErrorCodes.NOT_FOUND, 'no such scan', 'start the scan again')
  })
  app.post(
    '/api/config/browse',
    refusing(async (c) => {
      const { device, nodeId } = await body(c, Browse)
      try {
        return c.json(await editor.browse(device, nodeId))
      } catch (err) {
        return c.json(errorJson(err), 400)
      }
    }),
  )
  app.post(
    IMPORT_PATH,
    refusing(async (c) => {
      const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>)
      const file = form.file
      if (!(file instanceof File))
        return fail(c, 400, ErrorCodes.BAD_REQUEST, 'no file in the upload', 'choose the table file, then import')
      return proposed(
        c,
        await editor.importTable(Buffer.from(await file.arrayBuffer()), file.name || 'upload', deps.who(c)!),
      )
    }),
  )
  app.get('/api/config/template.xlsx', async (c) => {
    c.header('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    c.header('Content-Disposition', 'attachment; filename="parklink-points.xlsx"')
    return c.body(new Uint8Array(await templateXlsx()))
  })
  app.get('/api/config/template.csv', (c) => {
    c.header('Content-Type', 'text/csv; charset=utf-8')
    c.header('Content-Disposition', 'attachment; filename="parklink-points.csv"')
    return c.body(templateCsv())
  })
}

function errorJson(err: unknown) {
  return {
    error:
      err instanceof ParklinkError
        ? { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) }
        : {
            code: ErrorCodes.DEVICE_UNREACHABLE,
            message: errorMessage(err),
            hint: 'check the device settings and that this box can reach it',
          },
  }
}

/**
 * The apply restarts the agent and with it this console (closing its connections), so it starts
 * once the answer has left: on the response's 'finish' (or 'close') under @hono/node-server, else (tests'
 * app.request) on the next turn of the event loop.
 */
function applyAfterResponse(c: Context, run: () => void): void {
  const outgoing = (c.env as { outgoing?: { once(event: string, cb: () => void): void } } | undefined)?.outgoing
  // 'close' also fires when the client went away first: a change is never left unapplied (run is idempotent).
  if (outgoing?.once) for (const event of ['finish', 'close']) outgoing.once(event, run)
  else setImmediate(run)
}
