import { spawn, type ChildProcess } from 'node:child_process'

/**
 * The ffmpeg that transcodes one camera. The command is node-rtsp-stream's Mpeg1Muxer
 * (`-f mpegts -codec:v mpeg1video … -`) with input options in front, which that muxer cannot
 * take (it puts every option after -i): without them ffmpeg probes the stream for ≈ 1.4 s more,
 * and the first picture came after ≈ 3.5 s here instead of ≈ 2.1 s (brief §3: video opens in
 * ≤ 3 s). RTSP over TCP: cameras behind NAT or firewalls rarely pass RTP over UDP. MPEG-1 accepts
 * only standard frame rates, so a 10 fps camera is resampled to 25 (verified-here.md).
 *
 * The camera's URL carries its password, and a command line is readable by every local user
 * (`ps`, /proc/PID/cmdline; brief §7). So the URL is never an argument: ffmpeg reads a one-entry
 * ffconcat list from a pipe (fd 3) the relay writes and closes at once, and the RTSP input
 * options travel in that list as `option` lines. Nothing touches the disk. The protocol
 * whitelist keeps the list from naming anything but the camera's stream.
 */
export const INPUT_FD = 3

export function ffmpegArgs(): string[] {
  return [
    '-loglevel',
    'error',
    '-protocol_whitelist',
    'pipe,rtsp,rtsps,rtp,tcp,udp,tls',
    '-f',
    'concat',
    '-safe',
    '0',
    '-i',
    `pipe:${INPUT_FD}`,
    '-f',
    'mpegts',
    '-codec:v',
    'mpeg1video',
    '-r',
    '25',
    '-an',
    '-b:v',
    '1000k',
    '-bf',
    '0',
    '-',
  ]
}

/** ffconcat (libavformat/concatdec.c): the input and the options used to open and probe it. */
export function concatList(url: string): string {
  // A line break would let a URL add directives of its own.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
  if (/[\u0000-\u001f\u007f]/.test(url)) throw new Error('the camera URL contains control characters')
  // Inside single quotes nothing is special; a quote ends the quoting: ' → '\''
  const quoted = `'${url.replace(/'/g, "'\\''")}'`
  return [
    'ffconcat version 1.0',
    `file ${quoted}`,
    'option rtsp_transport tcp',
    'option analyzeduration 0',
    'option probesize 32768',
    'option fflags nobuffer',
    '',
  ].join('\n')
}

/** Starts ffmpeg with the URL handed over its pipe; stdout is MPEG-TS, stderr its complaints. */
export function spawnFfmpeg(ffmpegPath: string, url: string): ChildProcess {
  const list = concatList(url)
  const child = spawn(ffmpegPath, ffmpegArgs(), { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] })
  const input = child.stdio[INPUT_FD] as NodeJS.WritableStream & { on(e: 'error', f: () => void): unknown }
  // ffmpeg may be gone before it reads (not installed, killed): its exit says why.
  input.on('error', () => {})
  input.end(list)
  return child
}
