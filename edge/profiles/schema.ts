import { z } from 'zod'
import { ModbusPointFields } from '../drivers/modbus/config.ts'
import { OpcuaPointConfig } from '../drivers/opcua/config.ts'

/**
 * A device profile (firmware-configs/profiles/*.yaml): a device type's register map or tag
 * template, written once and referenced by every site that has the device. Points have a `key`
 * instead of an id; a site gives the prefix (`prefix: pg.b1` + key `level` → `pg.b1.level`) and,
 * for OPC UA templates, the `{tag}` put into node ids.
 */
const Key = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'a key is 1–64 letters, digits, "_" or "-"')

export const ModbusProfilePoint = ModbusPointFields.omit({ id: true }).extend({ key: Key })
export const OpcuaProfilePoint = OpcuaPointConfig.omit({ id: true, nodeId: true }).extend({
  key: Key,
  /** A node id, with {tag} where the site's tag goes: ns=2;s={tag}.Level.PV */
  nodeId: z.string().min(3),
})

const Common = {
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and "-" (the file name without .yaml)'),
  description: z.string().min(1),
  vendorNote: z.string().optional(),
}

export const ProfileSchema = z.discriminatedUnion('protocol', [
  z.strictObject({
    ...Common,
    protocol: z.literal('modbus'),
    points: z.array(z.strictObject(ModbusProfilePoint.shape)).min(1),
  }),
  z.strictObject({
    ...Common,
    protocol: z.literal('opcua'),
    points: z.array(z.strictObject(OpcuaProfilePoint.shape)).min(1),
  }),
])
export type Profile = z.infer<typeof ProfileSchema>
