/**
 * Byte and bit streams for the historian's chunk codec (codec.ts): unsigned LEB128 varints,
 * zigzag for signed integers, and an MSB-first bit stream for the XOR float encoding. Integers
 * are plain numbers up to 2^53 (epoch milliseconds, scaled values): arithmetic, not bitwise, past
 * 32 bits.
 */
export class ByteWriter {
  private buf = new Uint8Array(256)
  private len = 0

  get length(): number {
    return this.len
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + extra))
    next.set(this.buf.subarray(0, this.len))
    this.buf = next
  }

  byte(b: number): void {
    this.ensure(1)
    this.buf[this.len++] = b & 0xff
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length)
    this.buf.set(b, this.len)
    this.len += b.length
  }

  /** Unsigned LEB128 of a non-negative safe integer. */
  varint(n: number): void {
    let v = n
    while (v >= 0x80) {
      this.byte((v % 0x80) | 0x80)
      v = Math.floor(v / 0x80)
    }
    this.byte(v)
  }

  /** A signed safe integer, zigzag-mapped so small magnitudes take one byte. */
  svarint(n: number): void {
    this.varint(n >= 0 ? n * 2 : -n * 2 - 1)
  }

  /** A section: its length, then its bytes (so a reader can find the next one). */
  section(b: Uint8Array): void {
    this.varint(b.length)
    this.bytes(b)
  }

  /**
   * A section of the string's UTF-8 bytes: the same bytes as section(new TextEncoder().encode(s)).
   * ASCII (point ids, reasons) is copied code by code: a TextEncoder call per point id was a
   * tenth of a block's encoding (profiled, issue 15).
   */
  text(s: string): void {
    if (!isAscii(s)) {
      this.section(utf8.encode(s))
      return
    }
    this.varint(s.length)
    this.ensure(s.length)
    for (let i = 0; i < s.length; i++) this.buf[this.len++] = s.charCodeAt(i)
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len)
  }
}

const utf8 = new TextEncoder()

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false
  return true
}

/** Thrown by the readers on a truncated or malformed stream; the codec reports it per chunk. */
export class StreamError extends Error {}

export class ByteReader {
  private pos = 0
  constructor(private readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.length
  }

  byte(): number {
    if (this.pos >= this.buf.length) throw new StreamError('truncated')
    return this.buf[this.pos++] as number
  }

  bytes(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.buf.length) throw new StreamError('truncated')
    const out = this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }

  varint(): number {
    let result = 0
    let scale = 1
    for (let i = 0; i < 8; i++) {
      const b = this.byte()
      result += (b & 0x7f) * scale
      if (b < 0x80) return result
      scale *= 0x80
    }
    throw new StreamError('varint too long')
  }

  svarint(): number {
    const z = this.varint()
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2
  }

  section(): Uint8Array {
    return this.bytes(this.varint())
  }
}

/** MSB-first bit stream; writes at most 32 bits per call. */
export class BitWriter {
  private readonly out = new ByteWriter()
  private cur = 0
  private used = 0

  bits(value: number, n: number): void {
    let left = n
    while (left > 0) {
      const take = Math.min(8 - this.used, left)
      const chunk = (value >>> (left - take)) & ((1 << take) - 1)
      this.cur = (this.cur << take) | chunk
      this.used += take
      left -= take
      if (this.used === 8) {
        this.out.byte(this.cur)
        this.cur = 0
        this.used = 0
      }
    }
  }

  bit(b: boolean): void {
    this.bits(b ? 1 : 0, 1)
  }

  finish(): Uint8Array {
    if (this.used > 0) this.out.byte(this.cur << (8 - this.used))
    this.used = 0
    this.cur = 0
    return this.out.finish()
  }
}

export class BitReader {
  private pos = 0
  private readonly end: number
  constructor(private readonly buf: Uint8Array) {
    this.end = buf.length * 8
  }

  /**
   * The next n ≤ 32 bits, MSB first. One window of the (up to five) bytes holding them, not a
   * loop per byte: the XOR floats of a chunk are read here, and a rollup answer's partial minutes
   * decode every chunk hour they fall in (profiled, issue 15).
   */
  bits(n: number): number {
    if (n <= 0) return 0
    const pos = this.pos
    if (pos + n > this.end) throw new StreamError('truncated bit stream')
    this.pos = pos + n
    const buf = this.buf
    const at = pos >>> 3
    const offset = pos & 7
    // The 32 bits from the byte holding pos (zeros past the end), moved up by the offset into the byte.
    let w =
      (((buf[at] as number) << 24) | ((buf[at + 1] ?? 0) << 16) | ((buf[at + 2] ?? 0) << 8) | (buf[at + 3] ?? 0)) >>> 0
    if (offset > 0) w = ((w << offset) | ((buf[at + 4] ?? 0) >>> (8 - offset))) >>> 0
    return n === 32 ? w : w >>> (32 - n)
  }

  bit(): boolean {
    const pos = this.pos
    if (pos >= this.end) throw new StreamError('truncated bit stream')
    this.pos = pos + 1
    return (((this.buf[pos >>> 3] as number) >>> (7 - (pos & 7))) & 1) === 1
  }
}
