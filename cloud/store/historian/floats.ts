import { BitReader, BitWriter, ByteReader, ByteWriter, StreamError } from './bits.ts'

/**
 * The numbers of a chunk, encoded one of two ways (codec.ts picks):
 * - scaled: every value is an integer at a decimal scale 10^s (s ≤ 6: what instruments report,
 *   e.g. 12.34 mm at s = 2), stored as zigzag varint deltas: one or two bytes for a slow signal;
 * - xor: Gorilla's float compression (Pelkonen et al., VLDB 2015, §4.1.2): each value XORed with
 *   the previous one, only the meaningful bits written, reusing the previous leading/trailing
 *   zero window when it fits. Exact for every float64 bit pattern (-0, NaN, ±Infinity).
 */
const f64 = new Float64Array(1)
const u32 = new Uint32Array(f64.buffer)
// Little-endian hosts (x86, ARM as Node runs them): word 0 holds the low half.
const LO = 0
const HI = 1

const MAX_SCALE = 6
const MAX_SCALED = 2 ** 51

/** The smallest decimal scale at which every value is an exact integer, or null. */
export function decimalScale(values: readonly number[]): number | null {
  for (let s = 0; s <= MAX_SCALE; s++) {
    const f = 10 ** s
    if (values.every((v) => isScaledExact(v, f))) return s
  }
  return null
}

function isScaledExact(v: number, f: number): boolean {
  if (!Number.isFinite(v) || Object.is(v, -0)) return false
  const n = Math.round(v * f)
  return Math.abs(n) <= MAX_SCALED && n / f === v
}

export function encodeScaled(values: readonly number[], scale: number): Uint8Array {
  const out = new ByteWriter()
  const f = 10 ** scale
  let prev = 0
  for (const v of values) {
    const n = Math.round(v * f)
    out.svarint(n - prev)
    prev = n
  }
  return out.finish()
}

export function decodeScaled(bytes: Uint8Array, scale: number, count: number): number[] {
  const input = new ByteReader(bytes)
  const f = 10 ** scale
  const values = new Array<number>(count)
  let n = 0
  for (let i = 0; i < count; i++) {
    n += input.svarint()
    values[i] = n / f
  }
  return values
}

function clz64(hi: number, lo: number): number {
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo)
}

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x)
}

function ctz64(hi: number, lo: number): number {
  return lo !== 0 ? ctz32(lo) : 32 + ctz32(hi)
}

/** Writes the `m` bits of (hi:lo) >>> shift. */
function writeShifted(out: BitWriter, hi: number, lo: number, shift: number, m: number): void {
  let h = hi
  let l = lo
  if (shift >= 32) {
    l = hi >>> (shift - 32)
    h = 0
  } else if (shift > 0) {
    l = ((lo >>> shift) | (hi << (32 - shift))) >>> 0
    h = hi >>> shift
  }
  if (m > 32) out.bits(h, m - 32)
  out.bits(l, Math.min(m, 32))
}

/** The XOR just read (readShifted): one object reused, not a pair allocated per value. */
const xor = { hi: 0, lo: 0 }

/** Reads `m` bits and shifts them left by `shift` into xor (hi, lo). */
function readShifted(input: BitReader, shift: number, m: number): void {
  const h = m > 32 ? input.bits(m - 32) : 0
  const l = input.bits(Math.min(m, 32))
  if (shift >= 32) {
    xor.hi = (l << (shift - 32)) >>> 0
    xor.lo = 0
  } else if (shift === 0) {
    xor.hi = h
    xor.lo = l
  } else {
    xor.hi = ((h << shift) | (l >>> (32 - shift))) >>> 0
    xor.lo = (l << shift) >>> 0
  }
}

export function encodeXor(values: readonly number[]): Uint8Array {
  const out = new BitWriter()
  let prevHi = 0
  let prevLo = 0
  let windowLz = -1
  let windowTz = -1
  values.forEach((v, i) => {
    f64[0] = v
    const hi = u32[HI] as number
    const lo = u32[LO] as number
    if (i === 0) {
      out.bits(hi, 32)
      out.bits(lo, 32)
    } else {
      const xh = (hi ^ prevHi) >>> 0
      const xl = (lo ^ prevLo) >>> 0
      if (xh === 0 && xl === 0) out.bit(false)
      else {
        out.bit(true)
        const lz = Math.min(clz64(xh, xl), 31)
        const tz = ctz64(xh, xl)
        if (windowLz >= 0 && lz >= windowLz && tz >= windowTz) {
          out.bit(false)
          writeShifted(out, xh, xl, windowTz, 64 - windowLz - windowTz)
        } else {
          const m = 64 - lz - tz
          out.bit(true)
          out.bits(lz, 5)
          out.bits(m - 1, 6)
          writeShifted(out, xh, xl, tz, m)
          windowLz = lz
          windowTz = tz
        }
      }
    }
    prevHi = hi
    prevLo = lo
  })
  return out.finish()
}

export function decodeXor(bytes: Uint8Array, count: number): number[] {
  const input = new BitReader(bytes)
  const values = new Array<number>(count)
  let hi = 0
  let lo = 0
  let windowLz = -1
  let windowTz = -1
  for (let i = 0; i < count; i++) {
    if (i === 0) {
      hi = input.bits(32)
      lo = input.bits(32)
    } else if (input.bit()) {
      if (input.bit()) {
        windowLz = input.bits(5)
        windowTz = 64 - windowLz - (input.bits(6) + 1)
        if (windowTz < 0) throw new StreamError('bad xor window')
      } else if (windowLz < 0) throw new StreamError('xor window used before it was set')
      readShifted(input, windowTz, 64 - windowLz - windowTz)
      hi = (hi ^ xor.hi) >>> 0
      lo = (lo ^ xor.lo) >>> 0
    }
    u32[HI] = hi
    u32[LO] = lo
    values[i] = f64[0] as number
  }
  return values
}
