import { authorized } from './api.ts'

/**
 * Server-Sent Events over fetch, so the request carries the Authorization header (EventSource
 * cannot). Reconnects by itself with a growing pause (1 s … 15 s) and tells the page whether the
 * stream is up, so the board can say "connection lost" instead of showing a frozen picture. A
 * reconnect sends the last event id seen (`Last-Event-ID`), so the server replays what it missed.
 */
export interface SseEvent {
  event: string
  data: string
}

export function openEventStream(
  path: string,
  onEvent: (e: SseEvent) => void,
  onState: (up: boolean) => void,
): () => void {
  const controller = new AbortController()
  let attempt = 0
  // The last event id seen: a reconnect asks for what came after it (issue 14, Last-Event-ID).
  const last: { id: string | null } = { id: null }
  const run = async () => {
    while (!controller.signal.aborted) {
      try {
        const res = await authorized(path, {
          signal: controller.signal,
          accept: 'text/event-stream',
          ...(last.id === null ? {} : { lastEventId: last.id }),
        })
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`)
        attempt = 0
        onState(true)
        await pump(res.body, onEvent, last)
      } catch {
        // fall through to the pause; an abort ends the loop
      }
      if (controller.signal.aborted) return
      onState(false)
      await new Promise((resolve) => setTimeout(resolve, Math.min(15_000, 1_000 * 2 ** attempt++)))
    }
  }
  void run()
  return () => controller.abort()
}

async function pump(
  body: ReadableStream<Uint8Array>,
  onEvent: (e: SseEvent) => void,
  last: { id: string | null },
): Promise<void> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, '\n')
    let end: number
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      let event = 'message'
      const data: string[] = []
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue // a comment (keep-alive)
        const colon = line.indexOf(':')
        const field = colon < 0 ? line : line.slice(0, colon)
        const v = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
        if (field === 'event') event = v
        else if (field === 'data') data.push(v)
        else if (field === 'id' && !v.includes('\0')) last.id = v
      }
      if (data.length > 0) onEvent({ event, data: data.join('\n') })
    }
  }
}
