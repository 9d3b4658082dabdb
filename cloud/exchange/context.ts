import type { Device, RegistryPoint } from '../registry/model.ts'
import type { CodeLists } from './codes.ts'
import { codeListsOf, type ExchangeConfig } from './config.ts'
import { formatTime, uuidV5 } from './ids.ts'
import type { Row } from './validate.ts'

/** What a mapper needs besides its source item: the settings, the code lists, the devices, id and time helpers. */
export interface MapContext {
  config: ExchangeConfig
  lists: CodeLists
  devices: ReadonlyMap<string, Device>
  /** The registry's points by id (alarms name their indicator through them). */
  points: ReadonlyMap<string, IndicatorSource>
  /** The row id of a parklink entity in a data set (UUID v5). */
  id(dataset: string, key: string): string
  time(ms: number | null | undefined): string | null
}

/** A registered point with the device its edge announced and its newest sample. */
export interface IndicatorSource {
  point: RegistryPoint
  announcedDevice: string | null
  latest: { ts: number; value: number | null; good: boolean } | null
}

/** One source item mapped: its parklink key, the row (audit fields are the writer's) and a hint per column. */
export interface Mapped {
  key: string
  row: Row
  fixes: Record<string, string>
  /** Problems across fields that the table's column checks cannot see. */
  problems?: Array<{ column: string; message: string }>
}

export function mapContext(
  config: ExchangeConfig,
  devices: readonly Device[],
  points: readonly IndicatorSource[],
): MapContext {
  return {
    config,
    lists: codeListsOf(config),
    devices: new Map(devices.map((d) => [d.id, d])),
    points: new Map(points.map((p) => [p.point.id, p])),
    id: (dataset, key) => uuidV5(config.uuidNamespace, `${dataset}:${key}`),
    time: (ms) => (ms === null || ms === undefined ? null : formatTime(ms, config.timeZone)),
  }
}

/** The registry device a point belongs to: its own monitorDevice, else the device its edge announced. */
export const deviceOf = (s: IndicatorSource): string | null => s.point.monitorDevice ?? s.announcedDevice
/** A person's id (处置人编号): a UUID of the user name (parklink has no person registry; a choice). */
export const personId = (ctx: MapContext, by: string | undefined | null): string | null =>
  by ? ctx.id('person', by) : null
