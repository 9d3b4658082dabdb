import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { CameraEvent } from '../../shared/wire/camera.ts'

/**
 * An intrusion (RYRQ) raise on camera `cam-big` a second ago carrying a JPEG of `randomKiB` KiB
 * of noise between its markers: a snapshot too large for one message, which the edge must send in
 * parts and the cloud join and verify by sha256.
 */
export function bigSnapshotEvent(randomKiB: number) {
  const jpeg = Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
    randomBytes(randomKiB * 1024),
    Buffer.from([0xff, 0xd9]),
  ])
  const sha256 = createHash('sha256').update(jpeg).digest('hex')
  const ts = Date.now() - 1_000
  const event: Extract<CameraEvent, { type: 'raise' | 'clear' | 'pulse' }> = {
    id: randomUUID(),
    camera: 'cam-big',
    ts,
    type: 'raise',
    topic: 'tns1:RuleEngine/FieldDetector/ObjectsInside',
    kind: 'intrusion',
    code: 'RYRQ',
    priority: 'A',
    snapshot: {
      id: randomUUID(),
      ts,
      contentType: 'image/jpeg',
      bytes: jpeg.length,
      sha256,
      data: jpeg.toString('base64'),
    },
  }
  return { event, jpeg, sha256 }
}
