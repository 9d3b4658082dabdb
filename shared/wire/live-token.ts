import { createPublicKey, type KeyObject } from 'node:crypto'
import { errors, jwtVerify, SignJWT } from 'jose'

/**
 * Viewer tokens for the edge's live view (brief §7: access to video is authenticated and
 * limited to the cameras a user may see). A token is a JWT signed by the cloud (or by the edge
 * console for its logged-in technician) that names ONE camera and expires soon: it admits the
 * opening of a stream; a stream already open goes on after the token expired.
 *
 * Claims: `aud` = LIVE_AUDIENCE, `cam` = the camera id, `sub` = who asked, `exp`/`iat`.
 * Signature: EdDSA (Ed25519) or ES256; the verifier knows the public keys it trusts.
 */
export const LIVE_AUDIENCE = 'parklink-live'
/** How long a fresh token admits an opening (seconds). */
export const VIEWER_TOKEN_TTL_S = 60
/** Algorithms a viewer token may be signed with (never `none`, never a shared secret). */
export const VIEWER_TOKEN_ALGS = ['EdDSA', 'ES256'] as const

/** Why a viewer was refused (stable: logged, counted, and sent as the refusal's code). */
export type ViewerRefusal = 'token_missing' | 'token_invalid' | 'token_expired' | 'token_camera' | 'origin_refused'

export type ViewerCheck = { ok: true; subject: string; issuer: string } | { ok: false; reason: ViewerRefusal }

/** The JOSE algorithm of a key (Ed25519 → EdDSA, P-256 → ES256); anything else is refused. */
export function viewerTokenAlg(key: KeyObject): (typeof VIEWER_TOKEN_ALGS)[number] {
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA'
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256'
  throw new Error(`a viewer token key must be Ed25519 or EC P-256, not ${key.asymmetricKeyType ?? 'unknown'}`)
}

export interface ViewerTokenRequest {
  camera: string
  subject: string
  issuer: string
  /** Now, in ms (the injected clock). */
  now: number
  ttlS?: number
}

export async function signViewerToken(
  privateKey: KeyObject,
  r: ViewerTokenRequest,
): Promise<{ token: string; expiresAt: number }> {
  const iat = Math.floor(r.now / 1000)
  const exp = iat + (r.ttlS ?? VIEWER_TOKEN_TTL_S)
  const token = await new SignJWT({ cam: r.camera })
    .setProtectedHeader({ alg: viewerTokenAlg(privateKey), typ: 'JWT' })
    .setAudience(LIVE_AUDIENCE)
    .setIssuer(r.issuer)
    .setSubject(r.subject)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(privateKey)
  return { token, expiresAt: exp * 1000 }
}

/** A public key from PEM (SPKI), or the public half of a private key object. */
export const publicKeyOf = (key: KeyObject | string): KeyObject =>
  typeof key === 'string' ? createPublicKey(key) : key.type === 'private' ? createPublicKey(key) : key

/**
 * Checks a token for one camera against the trusted public keys. A token signed by none of them,
 * malformed, for another audience, or without a subject is `token_invalid`; a valid signature
 * whose `exp` has passed is `token_expired`; a token for another camera is `token_camera`.
 */
export async function verifyViewerToken(
  token: string | null | undefined,
  camera: string,
  keys: readonly KeyObject[],
  now: number,
): Promise<ViewerCheck> {
  if (!token) return { ok: false, reason: 'token_missing' }
  for (const key of keys) {
    try {
      const { payload } = await jwtVerify(token, key, {
        audience: LIVE_AUDIENCE,
        algorithms: [viewerTokenAlg(key)],
        currentDate: new Date(now),
        requiredClaims: ['exp', 'sub', 'cam'],
      })
      if (payload.cam !== camera) return { ok: false, reason: 'token_camera' }
      return { ok: true, subject: String(payload.sub), issuer: String(payload.iss ?? '') }
    } catch (err) {
      // jose checks the signature before the claims: an expired token was signed by this key.
      if (err instanceof errors.JWTExpired) return { ok: false, reason: 'token_expired' }
      if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JOSEAlgNotAllowed) continue
      return { ok: false, reason: 'token_invalid' }
    }
  }
  return { ok: false, reason: 'token_invalid' }
}
