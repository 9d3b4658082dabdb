/**
 * Why a live stream ended, from its WebSocket close (edge/live/live-protocol.ts, relay.ts):
 * 4000 + HTTP status for a refusal (the relay's reason as close reason), 1011 when the camera
 * sent no video or ffmpeg failed, 1000 when the relay stopped the stream, 1006 when the
 * connection failed or dropped. The result is a text key of texts-screens.ts.
 */
export type LiveEnd =
  | 'liveEnded'
  | 'liveTokenExpired'
  | 'liveTokenRefused'
  | 'liveOriginRefused'
  | 'liveWrongCamera'
  | 'liveUnknownCamera'
  | 'liveTooMany'
  | 'liveNoVideo'
  | 'liveUnreachable'
  | 'liveDropped'
  | 'liveFailed'

export function liveEnd(code: number, reason: string, opened: boolean): LiveEnd {
  switch (code) {
    case 1000:
      return 'liveEnded'
    case 1011:
      return 'liveNoVideo'
    case 4401:
      return reason === 'token_expired' ? 'liveTokenExpired' : 'liveTokenRefused'
    case 4403:
      return reason === 'token_camera' ? 'liveWrongCamera' : 'liveOriginRefused'
    case 4404:
      return 'liveUnknownCamera'
    case 4503:
      return 'liveTooMany'
    case 1001:
    case 1006:
      // A connection that never opened: nothing answered at that address (or a proxy refused it).
      return opened ? 'liveDropped' : 'liveUnreachable'
    default:
      return 'liveFailed'
  }
}
