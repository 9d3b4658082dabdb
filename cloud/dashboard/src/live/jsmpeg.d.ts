/**
 * The part of @cycjimmy/jsmpeg-player (JSMpeg, phoboslab/jsmpeg) the live player uses; the
 * package ships no types. Options: JSMpeg's README ("Usage"), the Player constructor.
 */
declare module '@cycjimmy/jsmpeg-player' {
  /** A source as JSMpeg drives it: connect(demuxer), start(), resume(headroom), destroy(). */
  export interface JSMpegSource {
    streaming: boolean
    established: boolean
    completed: boolean
    progress: number
    connect(destination: { write(data: ArrayBuffer): void }): void
    start(): void
    resume(headroom: number): void
    destroy(): void
  }
  export interface PlayerOptions {
    canvas?: HTMLCanvasElement
    source?: new (url: string, options: PlayerOptions) => JSMpegSource
    audio?: boolean
    autoplay?: boolean
    disableWebAssembly?: boolean
    disableGl?: boolean
    pauseWhenHidden?: boolean
    videoBufferSize?: number
    onVideoDecode?: () => void
  }
  export class Player {
    constructor(url: string, options?: PlayerOptions)
    destroy(): void
  }
  const JSMpeg: { Player: typeof Player }
  export default JSMpeg
}
