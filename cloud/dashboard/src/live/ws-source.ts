import type { JSMpegSource, PlayerOptions } from '@cycjimmy/jsmpeg-player'

/** The relay's subprotocol: it answers refusals as close codes a page can read (edge/live/live-protocol.ts). */
export const LIVE_PROTOCOL = 'parklink-live'

export interface SourceEvents {
  /** The relay accepted the viewer (the stream may still be starting). */
  opened(): void
  /** The socket closed: the code and reason the relay gave, and whether it had opened. */
  closed(code: number, reason: string, opened: boolean): void
}

/**
 * A JSMpeg source over one WebSocket that, unlike JSMpeg's own WSSource, never reconnects (a
 * viewer token admits one opening: a new one is fetched for a retry) and says how the socket
 * closed. JSMpeg constructs it (`options.source`), so the events are bound in a class per player.
 */
export function liveSource(events: SourceEvents): NonNullable<PlayerOptions['source']> {
  return class LiveSource implements JSMpegSource {
    streaming = true
    established = false
    completed = false
    progress = 0
    private socket: WebSocket | null = null
    private destination: { write(data: ArrayBuffer): void } | null = null
    private opened = false

    private readonly url: string

    constructor(url: string) {
      this.url = url
    }

    connect(destination: { write(data: ArrayBuffer): void }): void {
      this.destination = destination
    }

    start(): void {
      const ws = new WebSocket(this.url, LIVE_PROTOCOL)
      ws.binaryType = 'arraybuffer'
      ws.onopen = () => {
        this.opened = true
        this.progress = 1
        events.opened()
      }
      ws.onmessage = (ev: MessageEvent<ArrayBuffer>) => {
        this.established = true
        this.destination?.write(ev.data)
      }
      ws.onclose = (ev) => {
        if (this.socket === ws) events.closed(ev.code, ev.reason, this.opened)
        this.socket = null
      }
      this.socket = ws
    }

    resume(): void {}

    destroy(): void {
      const ws = this.socket
      // Closed by the viewer: no event for it.
      this.socket = null
      ws?.close(1000)
    }
  }
}
