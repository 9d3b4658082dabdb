/** GET a JSON document; throws with the status and body on a non-2xx answer. `headers`: e.g. the API key's Authorization. */
export async function getJson<T = unknown>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000), headers })
  const text = await res.text()
  if (!res.ok) throw new Error(`GET ${url} → ${res.status}: ${text.slice(0, 500)}`)
  return JSON.parse(text) as T
}

/** Like getJson, but null while the server is not answering (starting, or killed on purpose). */
export async function tryGetJson<T = unknown>(url: string, headers: Record<string, string> = {}): Promise<T | null> {
  try {
    return await getJson<T>(url, headers)
  } catch {
    return null
  }
}

/** The Authorization header for an API key or access token. */
export const bearer = (credential: string) => ({ authorization: `Bearer ${credential}` })
