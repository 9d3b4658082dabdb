import { z } from 'zod'

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
})
export type LiveConfig = z.infer<typeof LiveConfig>
