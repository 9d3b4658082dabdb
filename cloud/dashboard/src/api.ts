/**
 * The cloud's HTTP API from the browser. A session (access + refresh token, from
 * POST /api/v1/auth/login) lives in sessionStorage: closing the tab logs out. An expired access
 * token is refreshed once, transparently; a refused refresh sends the operator to the login page.
 */
export interface SessionUser {
  username: string
  role: string
  enterprise: string | null
}

interface Session {
  accessToken: string
  refreshToken: string
  user: SessionUser
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
    readonly retryAfterS?: number,
  ) {
    super(message)
  }
}

const KEY = 'parklink.session'
let onLoggedOut: () => void = () => {}

export const setLoggedOutHandler = (fn: () => void) => void (onLoggedOut = fn)

function load(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY)
    return raw ? (JSON.parse(raw) as Session) : null
  } catch {
    return null
  }
}

let session: Session | null = load()

const save = (s: Session | null) => {
  session = s
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s))
  else sessionStorage.removeItem(KEY)
}

export const currentUser = (): SessionUser | null => session?.user ?? null

async function failure(res: Response): Promise<ApiError> {
  let body: { error?: { code?: string; message?: string; hint?: string } } = {}
  try {
    body = await res.json()
  } catch {
    // not JSON: keep the status
  }
  // A throttled request (429) says in Retry-After when to try again.
  const retryAfter = Number(res.headers.get('retry-after'))
  return new ApiError(
    res.status,
    body.error?.code ?? `HTTP_${res.status}`,
    body.error?.message ?? res.statusText,
    body.error?.hint,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
  )
}

/** Reads the tokens and the user from a login or refresh answer. */
function sessionFrom(body: Record<string, unknown>, previous: SessionUser | null): Session {
  const tokens = (body.tokens ?? body) as Record<string, unknown>
  const access = tokens.accessToken ?? tokens.access_token
  const refresh = tokens.refreshToken ?? tokens.refresh_token
  const user = (body.user ?? previous) as SessionUser | null
  if (typeof access !== 'string' || typeof refresh !== 'string' || !user)
    throw new ApiError(500, 'BAD_LOGIN_ANSWER', 'the login answer has no tokens')
  return {
    accessToken: access,
    refreshToken: refresh,
    user: { username: user.username, role: user.role, enterprise: user.enterprise ?? null },
  }
}

export async function login(username: string, password: string): Promise<SessionUser> {
  const res = await fetch('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  if (!res.ok) throw await failure(res)
  const s = sessionFrom(await res.json(), null)
  save(s)
  return s.user
}

export async function logout(): Promise<void> {
  const s = session
  save(null)
  if (s)
    await fetch('/api/v1/auth/logout', {
      method: 'POST',
      headers: { authorization: `Bearer ${s.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: s.refreshToken }),
    }).catch(() => {})
}

let refreshing: Promise<boolean> | null = null
async function refresh(): Promise<boolean> {
  const s = session
  if (!s) return false
  refreshing ??= (async () => {
    const res = await fetch('/api/v1/auth/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: s.refreshToken }),
    })
    if (!res.ok) return false
    save(sessionFrom(await res.json(), s.user))
    return true
  })().finally(() => (refreshing = null))
  return refreshing
}

/** A request with the session's token; JSON in and out. */
export async function request<T>(
  path: string,
  init: { method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  const res = await authorized(path, init)
  if (!res.ok) throw await failure(res)
  return (await res.json()) as T
}

/** The raw response of an authorized request (for streams and images). Refreshes once on 401. */
export async function authorized(
  path: string,
  init: {
    method?: string
    body?: unknown
    signal?: AbortSignal
    accept?: string
    csv?: string
    lastEventId?: string
  } = {},
): Promise<Response> {
  const send = () => {
    const headers: Record<string, string> = {}
    if (session) headers.authorization = `Bearer ${session.accessToken}`
    if (init.lastEventId !== undefined) headers['last-event-id'] = init.lastEventId
    if (init.body !== undefined) headers['content-type'] = 'application/json'
    if (init.accept) headers.accept = init.accept
    if (init.csv !== undefined) headers['content-type'] = 'text/csv; charset=utf-8'
    const body = init.csv ?? (init.body === undefined ? null : JSON.stringify(init.body))
    return fetch(path, { method: init.method ?? 'GET', headers, body, signal: init.signal ?? null })
  }
  let res = await send()
  if (res.status === 401 && (await refresh())) res = await send()
  if (res.status === 401) {
    save(null)
    onLoggedOut()
  }
  return res
}
