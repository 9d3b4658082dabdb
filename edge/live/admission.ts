import type { IncomingMessage } from 'node:http'
import type { KeyObject } from 'node:crypto'
import { ErrorCodes, type ErrorCode } from '../../shared/errors.ts'
import { verifyViewerToken, type ViewerCheck, type ViewerRefusal } from '../../shared/wire/live-token.ts'

/**
 * Who may open a live stream (brief §7): a browser page of an allowed origin (the console's own,
 * the cloud dashboard's) holding a viewer token for that camera, signed by a key the edge trusts
 * (the cloud's, from `live.viewerKeys`, and the console's own). Checked on the WebSocket
 * upgrade only; a stream already open goes on after its token expired.
 *
 * The token comes as `?token=` (a browser cannot set headers on a WebSocket). The relay never
 * logs a URL, so the token stays out of the log.
 */
export interface ViewerAdmission {
  check(req: IncomingMessage, camera: string): Promise<ViewerCheck>
}

export interface AdmissionOptions {
  /** Public keys whose tokens are accepted. */
  keys: readonly KeyObject[]
  /** Allowed `Origin` values (scheme://host[:port]). */
  origins: readonly string[]
  now(): number
}

/** `scheme://host[:port]` as browsers send it, or null when it is not an origin. */
export function normalizeOrigin(origin: string): string | null {
  try {
    const u = new URL(origin)
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null
  } catch {
    return null
  }
}

export function createViewerAdmission(o: AdmissionOptions): ViewerAdmission {
  const allowed = new Set(o.origins.map(normalizeOrigin).filter((x): x is string => x !== null))
  return {
    async check(req, camera) {
      const origin = req.headers.origin
      // Browsers always send Origin on a WebSocket; a page elsewhere must not borrow a viewer's token.
      if (!origin || !allowed.has(normalizeOrigin(origin) ?? '')) return { ok: false, reason: 'origin_refused' }
      const token = new URL(req.url ?? '/', 'http://relay').searchParams.get('token')
      return await verifyViewerToken(token, camera, o.keys, o.now())
    },
  }
}

/** How each refusal answers the upgrade: status, stable code, what to do. */
export const REFUSALS: Record<ViewerRefusal, { status: 401 | 403; code: ErrorCode; hint: string }> = {
  token_missing: {
    status: 401,
    code: ErrorCodes.UNAUTHENTICATED,
    hint: 'fetch a viewer token (cloud: POST /api/v1/cameras/{id}/live-token; console: POST /api/live-token/{camera}) and open /live/{camera}?token=…',
  },
  token_invalid: {
    status: 401,
    code: ErrorCodes.UNAUTHENTICATED,
    hint: "the token is not signed by a key this edge trusts: check live.viewerKeys against the cloud's public key",
  },
  token_expired: {
    status: 401,
    code: ErrorCodes.UNAUTHENTICATED,
    hint: 'a viewer token admits an opening for 60 s: fetch a fresh one right before opening the stream',
  },
  token_camera: {
    status: 403,
    code: ErrorCodes.FORBIDDEN,
    hint: 'the token names another camera: fetch one for this camera',
  },
  origin_refused: {
    status: 403,
    code: ErrorCodes.FORBIDDEN,
    hint: 'open the live view from the console or the cloud dashboard, or add this origin to live.allowedOrigins',
  },
}
