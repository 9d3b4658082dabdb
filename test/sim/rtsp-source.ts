import { fileURLToPath } from 'node:url'
import { startChild, type Child } from '../util/child.ts'
import { freePort } from '../util/ports.ts'
import { waitFor } from '../util/wait.ts'

/**
 * A live RTSP source for tests: GStreamer's RTSP server (test/sim/rtsp-server.py, Debian's
 * python3-gi + gir1.2-gst-rtsp-server-1.0 + x264enc, installed by .ci/run), an H.264 test
 * pattern at rtsp://127.0.0.1:{port}/live. ffmpeg 5.1 cannot serve RTSP itself (verified-here.md).
 */
export interface RtspSource {
  url: string
  child: Child
  stop(): Promise<void>
}

export async function startRtspSource(): Promise<RtspSource> {
  const port = await freePort()
  const child = startChild('rtsp-server', '/usr/bin/python3', [
    fileURLToPath(new URL('./rtsp-server.py', import.meta.url)),
    String(port),
  ])
  await waitFor(() => child.output().includes(`ready ${port}`), {
    timeoutMs: 15_000,
    message: () => `GStreamer RTSP server did not start: ${child.output()}`,
  })
  return { url: `rtsp://127.0.0.1:${port}/live`, child, stop: async () => void (await child.kill()) }
}
