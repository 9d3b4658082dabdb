import { z } from 'zod'
import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'
import { LiveEndpoint } from '../../shared/wire/messages.ts'
import { HttpRefusals, type HttpRefusal } from '../metrics.ts'

/**
 * Where the dashboard opens a camera's live view (issue 17). The edge says where its relay is
 * reached (`live.publicUrl`, announced in its birth: it alone knows which of its interfaces faces
 * the park line, and NAT or a 0.0.0.0 bind make the address unguessable); the park says which of
 * those addresses its dashboard may connect to (`live.dashboardOrigins`): that list is the
 * Content-Security-Policy's connect-src, so an edge cannot widen where browsers send tokens.
 * The URL is built only from the camera's own edge (cameras.edge: a birth never re-homes a camera).
 */
export const LiveViewConfig = z.strictObject({
  /** The edges' live origins (`ws://host:port`, `wss://…`) the dashboard may open: CSP connect-src. */
  dashboardOrigins: z.array(LiveEndpoint.shape.url).max(64).default([]),
})
export type LiveViewConfig = z.infer<typeof LiveViewConfig>

/** `ws://host:port` as a browser compares origins. */
export const wsOrigin = (url: string): string => new URL(url).origin

export interface LiveUrlRefusal {
  refusal: HttpRefusal
  error: ParklinkError
}

/** `{edge's url}/live/{camera}` when the edge announced one the park lists; else why not. */
export function liveUrlOf(
  edge: { id: string; liveUrl?: string | null | undefined },
  camera: string,
  origins: readonly string[],
): { url: string } | LiveUrlRefusal {
  if (!edge.liveUrl)
    return {
      refusal: HttpRefusals.LIVE_NOT_ANNOUNCED,
      error: new ParklinkError(ErrorCodes.LIVE_VIEW_UNAVAILABLE, `edge ${edge.id} announced no live view endpoint`, {
        hint: `set live.publicUrl in edge ${edge.id}'s config (ws://{its park-side address}:{live.port}) and restart it`,
      }),
    }
  const origin = wsOrigin(edge.liveUrl)
  if (!origins.map(wsOrigin).includes(origin))
    return {
      refusal: HttpRefusals.LIVE_ORIGIN_NOT_LISTED,
      error: new ParklinkError(
        ErrorCodes.LIVE_VIEW_UNAVAILABLE,
        `edge ${edge.id}'s live view endpoint ${origin} is not among the cloud's live.dashboardOrigins`,
        { hint: `add "${origin}" to live.dashboardOrigins in the cloud config if it is that edge's, and restart` },
      ),
    }
  return { url: `${origin}/live/${encodeURIComponent(camera)}` }
}
