import { describe, expect, it } from 'vitest'
import { concatList, ffmpegArgs } from './ffmpeg.ts'

describe('ffmpeg input for the live view', () => {
  it('the command line names no camera: the URL travels in the ffconcat list over fd 3', () => {
    expect(ffmpegArgs().join(' ')).not.toMatch(/rtsp:|@/)
    expect(ffmpegArgs()).toEqual(expect.arrayContaining(['-f', 'concat', '-i', 'pipe:3']))
  })

  it('quotes the URL so a quote in the password cannot end it, and refuses a line break that would add directives', () => {
    const list = concatList("rtsp://admin:it's@10.20.1.64:554/Streaming/Channels/101")
    expect(list.split('\n')[1]).toBe("file 'rtsp://admin:it'\\''s@10.20.1.64:554/Streaming/Channels/101'")
    expect(list).toContain('option rtsp_transport tcp')
    expect(() => concatList("rtsp://a:b@h/live'\nfile '/etc/passwd")).toThrow(/control characters/)
  })
})
