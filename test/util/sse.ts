/**
 * A Server-Sent Events client for tests and benches (Node's fetch, so it can send the
 * Authorization header): parses the stream per the HTML Living Standard §9.2.6 (event and data
 * fields, comments, blank line ends an event) and hands each event over with the time it was
 * read. The dashboard has its own, browser-side (cloud/dashboard/src/sse.ts).
 */
export interface SseEvent {
  event: string
  id: string | null
  data: string
  /** Date.now() when the event's last line was read. */
  receivedAt: number
}

export interface SseClient {
  /** Resolves once the response headers are in (rejects on a non-2xx answer). */
  opened: Promise<void>
  close(): void
}

export function openSse(url: string, headers: Record<string, string>, onEvent: (e: SseEvent) => void): SseClient {
  const controller = new AbortController()
  const opened = (async () => {
    const res = await fetch(url, { headers: { ...headers, accept: 'text/event-stream' }, signal: controller.signal })
    if (!res.ok || !res.body) throw new Error(`GET ${url} → ${res.status}: ${(await res.text()).slice(0, 500)}`)
    return res.body
  })()
  void opened.then(
    async (body) => {
      const reader = body.getReader()
      const decoder = new TextDecoder()
      let buffer = ''
      try {
        for (;;) {
          const { value, done } = await reader.read()
          if (done) return
          const receivedAt = Date.now()
          buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n')
          let end: number
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end)
            buffer = buffer.slice(end + 2)
            let event = 'message'
            let id: string | null = null
            const data: string[] = []
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) continue
              const colon = line.indexOf(':')
              const field = colon < 0 ? line : line.slice(0, colon)
              const v = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
              if (field === 'event') event = v
              else if (field === 'id') id = v
              else if (field === 'data') data.push(v)
            }
            if (data.length > 0) onEvent({ event, id, data: data.join('\n'), receivedAt })
          }
        }
      } catch {
        // closed (abort) or the server went away: the caller sees no more events
      }
    },
    () => {},
  )
  return { opened: opened.then(() => undefined), close: () => controller.abort() }
}
