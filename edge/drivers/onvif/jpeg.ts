/**
 * Is this answer a JPEG we may keep? Pure. A camera behind a misconfigured proxy answers a login
 * page with 200; a broken one answers an empty body; a mis-set one a 5 MB PNG. Each is refused
 * with a reason a technician can act on.
 */
export type SnapshotCheck = { ok: true } | { ok: false; reason: string }

export function checkSnapshot(body: Uint8Array, contentType: string | undefined, maxBytes: number): SnapshotCheck {
  if (body.length > maxBytes)
    return { ok: false, reason: `snapshot too large: ${body.length} bytes > snapshot.maxBytes ${maxBytes}` }
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== 'image/jpeg' && type !== 'image/jpg')
    return { ok: false, reason: `snapshot is not a JPEG: content-type "${type || 'none'}"` }
  // JPEG: SOI marker FF D8 FF at the start (ITU T.81 B.1.1.2) and EOI FF D9 at the end.
  if (body.length < 4 || body[0] !== 0xff || body[1] !== 0xd8 || body[2] !== 0xff)
    return { ok: false, reason: 'snapshot is not a JPEG: no SOI marker (FF D8 FF)' }
  if (body[body.length - 2] !== 0xff || body[body.length - 1] !== 0xd9)
    return { ok: false, reason: 'snapshot is truncated: no EOI marker (FF D9)' }
  return { ok: true }
}
