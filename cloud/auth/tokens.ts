import { SignJWT, jwtVerify } from 'jose'

/**
 * Access tokens: HS256 JWTs, short-lived, naming the user and the refresh session they came
 * from. They carry no role: the role is read from the account on every request, so a changed
 * role or a disabled account takes effect at once.
 */
const ISSUER = 'parklink'
const AUDIENCE = 'parklink-api'

export interface AccessClaims {
  user: number
  session: number
}

export async function signAccessToken(
  claims: AccessClaims,
  secret: Uint8Array,
  nowMs: number,
  ttlS: number,
): Promise<string> {
  const iat = Math.floor(nowMs / 1000)
  return new SignJWT({ sid: claims.session })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(String(claims.user))
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlS)
    .sign(secret)
}

/** The claims of a valid, unexpired token signed with `secret`; null for anything else. */
export async function verifyAccessToken(
  token: string,
  secret: Uint8Array,
  nowMs: number,
): Promise<AccessClaims | null> {
  try {
    const { payload } = await jwtVerify(token, secret, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
      currentDate: new Date(nowMs),
    })
    const user = Number(payload.sub)
    const session = payload.sid
    if (!Number.isSafeInteger(user) || typeof session !== 'number' || !Number.isSafeInteger(session)) return null
    return { user, session }
  } catch {
    return null
  }
}
