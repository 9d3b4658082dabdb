import type { Device } from '../registry/model.ts'
import { deviceOf, type IndicatorSource, type MapContext, type Mapped } from './context.ts'

/**
 * Registry → #152 monitoring indicators and #153 gas-leak devices, pure. Missing values stay
 * null; validation (./validate.ts) then holds the row back and the fix hint says which
 * registry field to set.
 */
export function mapIndicator(s: IndicatorSource, ctx: MapContext): Mapped {
  const p = s.point
  const unit = p.unit ?? ''
  const deviceId = deviceOf(s)
  const device = deviceId ? ctx.devices.get(deviceId) : undefined
  const cfg = ctx.config
  const problems: Mapped['problems'] = []
  const toxic = p.class === 'gas' && cfg.toxicUnits.includes(unit)
  if (p.cas === null && (toxic || (p.class === 'gas' && p.substance !== null)))
    problems.push({
      column: 'gas_cas',
      message: `监测气体CAS (gas_cas) is missing for ${p.substance ?? 'a toxic gas'}: set the point's cas (e.g. 7664-41-7 for NH₃)`,
    })
  return {
    key: p.id,
    row: {
      id: ctx.id('152', p.id),
      park_id: cfg.parkCode,
      device_code: deviceId ? ctx.id('device', deviceId) : null,
      linked_device_category: device?.category ?? cfg.categoryByClass[p.class ?? ''] ?? null,
      indicator_name: p.name,
      indicator_type: p.indicatorType ?? cfg.indicatorTypeByUnit[unit] ?? null,
      unit: p.unitCode ?? cfg.unitCodes[unit] ?? null,
      description: null,
      monitored_substance_name: p.substance,
      gas_cas: p.cas,
      level1_upper_threshold: p.h,
      level2_upper_threshold: p.hh,
      level1_lower_threshold: p.l,
      level2_lower_threshold: p.ll,
      range_upper: p.rangeHigh,
      range_lower: p.rangeLow,
    },
    fixes: {
      device_code: `point ${p.id} names no device: set its monitorDevice (所属监测设备编码)`,
      linked_device_category: `register the point's device with its category (01–06, 99)`,
      indicator_type: `set point ${p.id}'s indicatorType (指标类型), or map unit "${unit}" in exchange.indicatorTypeByUnit`,
      unit: `set point ${p.id}'s unitCode (01–11), or map unit "${unit}" in exchange.unitCodes (the spec's list U has no code for every unit)`,
      monitored_substance_name: `set point ${p.id}'s substance (监测物质名称)`,
      indicator_name: `give point ${p.id} a name`,
    },
    problems,
  }
}

/** #153: registry devices of category 04 (易燃易爆气体监测). */
export function mapGasDevice(d: Device, ctx: MapContext): Mapped {
  const fix = (field: string) => `set device ${d.id}'s ${field} (PATCH /api/v1/registry/devices/${d.id})`
  return {
    key: d.id,
    row: {
      id: ctx.id('device', d.id),
      park_id: ctx.config.parkCode,
      device_name: d.name,
      device_type: d.type,
      run_state: d.enabled ? '01' : '02',
      coverage_radius_m: d.coverageRadiusM,
      longitude: d.lon,
      latitude: d.lat,
      commissioning_date: d.commissionedOn,
    },
    fixes: {
      device_type: fix('type (01–06, 99)'),
      coverage_radius_m: fix('coverageRadiusM'),
      longitude: fix('lon'),
      latitude: fix('lat'),
      commissioning_date: fix('commissionedOn (投用日期)'),
    },
  }
}

/**
 * #154: the newest good reading of a gas indicator, at most one per realtimeIntervalS (the
 * row id is the indicator's and the interval's, so a second run in the same interval writes
 * nothing new). null: nothing to write.
 */
export function mapRealtime(s: IndicatorSource, ctx: MapContext): Mapped | null {
  if (!s.latest?.good || s.latest.value === null) return null
  if (!ctx.config.realtimeClasses.includes(s.point.class ?? '')) return null
  const step = ctx.config.realtimeIntervalS * 1000
  const bucket = Math.floor(s.latest.ts / step) * step
  const indicator = mapIndicator(s, ctx)
  return {
    key: `${s.point.id}@${bucket}`,
    row: {
      id: ctx.id('154', `${s.point.id}@${bucket}`),
      park_id: ctx.config.parkCode,
      indicator_id: indicator.row.id!,
      device_code: indicator.row.device_code!,
      monitor_value: s.latest.value,
      unit: indicator.row.unit!,
      data_time: ctx.time(s.latest.ts),
    },
    fixes: { device_code: indicator.fixes.device_code!, unit: indicator.fixes.unit! },
  }
}
