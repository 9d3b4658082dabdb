import { z } from 'zod'

/**
 * What the console's device form sends: the device's own YAML keys (a Modbus RTU line's points
 * carry their slave's unitId; edge/console/configure/yaml-edit.ts groups them into `units`).
 * Parsed here only for shape; the config's one check (edge/config-check.ts) judges the values.
 * There is no `writable` key: the console never makes a point writable (a point made writable
 * in the file by hand keeps its key when it is edited here).
 */
const Text = z.string().trim().max(256)
const Num = z.number().finite()

export const PointDraft = z.strictObject({
  id: Text.min(1),
  name: Text.max(128).optional(),
  unit: Text.max(32).optional(),
  address: z.union([Text, Num]).optional(),
  type: Text.optional(),
  order: Text.optional(),
  scale: Num.optional(),
  offset: Num.optional(),
  length: Num.optional(),
  bit: Num.optional(),
  unitId: Num.optional(),
  nodeId: Text.optional(),
})
export type PointDraft = z.infer<typeof PointDraft>

export const EDITABLE_KINDS = ['modbus-tcp', 'modbus-rtu', 'opcua'] as const

export const DeviceDraft = z.strictObject({
  id: Text.min(1).max(64),
  kind: z.enum(EDITABLE_KINDS),
  // modbus-tcp: host and TCP port; modbus-rtu: port is the serial device path.
  host: Text.optional(),
  port: z.union([Num, Text]).optional(),
  unitId: Num.optional(),
  baudRate: Num.optional(),
  parity: Text.optional(),
  dataBits: Num.optional(),
  stopBits: Num.optional(),
  endpoint: Text.optional(),
  securityPolicy: Text.optional(),
  securityMode: Text.optional(),
  pollMs: Num.optional(),
  timeoutMs: Num.optional(),
  order: Text.optional(),
  points: z.array(PointDraft).max(5000),
})
export type DeviceDraft = z.infer<typeof DeviceDraft>

/** The device keys the form owns, per kind: set from the draft, removed when the draft leaves them out. */
export const DEVICE_KEYS: Record<DeviceDraft['kind'], readonly string[]> = {
  'modbus-tcp': ['host', 'port', 'unitId', 'pollMs', 'timeoutMs', 'order'],
  'modbus-rtu': ['port', 'baudRate', 'parity', 'dataBits', 'stopBits', 'order'],
  opcua: ['endpoint', 'securityPolicy', 'securityMode', 'pollMs', 'timeoutMs'],
}

export const MODBUS_POINT_KEYS = [
  'name',
  'unit',
  'address',
  'type',
  'order',
  'scale',
  'offset',
  'length',
  'bit',
] as const
export const OPCUA_POINT_KEYS = ['name', 'unit', 'nodeId'] as const

export const pointKeys = (kind: DeviceDraft['kind']): readonly string[] =>
  kind === 'opcua' ? OPCUA_POINT_KEYS : MODBUS_POINT_KEYS
