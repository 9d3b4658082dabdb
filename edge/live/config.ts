import { z } from 'zod'
import { publicKeyOf, viewerTokenAlg } from '../../shared/wire/live-token.ts'
import { LiveEndpoint } from '../../shared/wire/messages.ts'

const usableKey = (pem: string): boolean => {
  try {
    return publicKeyOf(pem).type === 'public' && viewerTokenAlg(publicKeyOf(pem)) !== undefined
  } catch {
    return false
  }
}

/**
 * Live view (edge/live/relay.ts). Off unless configured. The relay listens on the edge; the
 * monitoring center reaches it over the park's dedicated line (the edge's park-side interface),
 * never from the plant network: bind `host` to that interface.
 */
export const LiveConfig = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8091),
  /** Cameras streaming at once (each is an ffmpeg transcode: about a third of a core at 720p). */
  maxStreams: z.number().int().min(1).max(64).default(4),
  /** A stream with no viewer for this long is stopped. */
  idleTimeoutS: z.number().int().min(1).max(3_600).default(30),
  /** No video within this long: the stream is given up, with ffmpeg's reason. */
  startTimeoutS: z.number().int().min(1).max(120).default(10),
  ffmpegPath: z.string().min(1).default('ffmpeg'),
  /**
   * Public keys (PEM, SPKI; Ed25519 or EC P-256) whose viewer tokens open a stream: the cloud's
   * (`parklink-cloud live-key`). The console's own key is trusted besides, without being listed.
   */
  viewerKeys: z
    .array(
      z
        .string()
        .refine(
          usableKey,
          'an Ed25519 or EC P-256 public key in PEM ("-----BEGIN PUBLIC KEY-----…"), as `parklink-cloud live-key` prints it',
        ),
    )
    .max(8)
    .default([]),
  /**
   * Where the monitoring center reaches this relay over the park line (e.g. "ws://10.20.0.5:8091"):
   * announced in the birth, so the cloud dashboard knows where to open the live view. `host` may be
   * 0.0.0.0 or sit behind NAT, so it is said, not guessed. Without it the dashboard cannot play.
   */
  publicUrl: LiveEndpoint.shape.url.optional(),
  /** The cloud dashboard's origin (e.g. "https://park.example.cn"): its pages may open streams. */
  dashboardOrigin: z.string().url().optional(),
  /** Origins allowed to open streams; default: the console's own and `dashboardOrigin`. */
  allowedOrigins: z.array(z.string().url()).max(16).optional(),
})
export type LiveConfig = z.infer<typeof LiveConfig>
