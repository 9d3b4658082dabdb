/** A copy of a stored blob with one byte in its middle flipped, as a bad sector would leave it (historian damage tests). */
export function flipMiddleByte(blob: Uint8Array): Buffer {
  const data = Buffer.from(blob)
  const at = Math.floor(data.length / 2)
  data[at] = (data[at] as number) ^ 0xff
  return data
}
