/**
 * Values of aws-iot-device-sdk-v2 (aws-crt) as parklink's transports need them, without importing
 * the SDK here (shared/ stays free of I/O): a received payload as a Buffer, an error as one line.
 */

/** The SDK hands an ArrayBuffer (or a string or view when it decoded one). */
export function payloadBuffer(payload: unknown): Buffer {
  if (payload === undefined || payload === null) return Buffer.alloc(0)
  if (typeof payload === 'string') return Buffer.from(payload, 'utf8')
  if (payload instanceof ArrayBuffer) return Buffer.from(payload)
  if (ArrayBuffer.isView(payload)) return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)
  return Buffer.from(JSON.stringify(payload), 'utf8')
}

/** The SDK's error as one line (its name says which layer: AWS_IO_TLS_…, AWS_ERROR_MQTT5_…). */
export function crtErrorMessage(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { error_name?: string; message?: string }
    return [e.error_name, e.message].filter((s) => s !== undefined && s !== '').join(': ') || String(err)
  }
  return String(err)
}
