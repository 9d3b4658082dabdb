import type { AlarmRecord } from '../alarms/model.ts'
import type { Device } from '../registry/model.ts'
import type { Store } from '../store/store.ts'
import type { IndicatorSource } from './context.ts'

/**
 * What the exchange reads (read-only, the whole park), over the Store's own interfaces: the
 * registry's points and devices, and the alarms changed after an alarm-timeline id.
 */
export interface ExchangeSource {
  indicators(): Promise<IndicatorSource[]>
  devices(): Promise<Device[]>
  /** Alarms with a timeline entry after `after` (oldest change first) and the last entry id read. */
  alarmsChangedAfter(after: number, limit: number): Promise<{ alarms: AlarmRecord[]; through: number; more: boolean }>
  alarms(ids: readonly number[]): Promise<AlarmRecord[]>
  /** The first snapshot id of an alarm (a camera's picture), if any. */
  firstSnapshot(alarm: number): Promise<string | null>
}

export function storeSource(store: Store): ExchangeSource {
  const alarms = async (ids: readonly number[]) =>
    (await Promise.all(ids.map((id) => store.getAlarm(id, 'all')))).filter((a): a is AlarmRecord => a !== null)
  return {
    async indicators() {
      const [registered, live] = await Promise.all([
        store.registry.listPoints('all'),
        store.listPoints({ scope: 'all' }),
      ])
      const byId = new Map(live.map((p) => [p.id, p]))
      return registered.map((point) => {
        const rec = byId.get(point.id)
        const latest = rec?.latest ?? null
        return {
          point,
          announcedDevice: rec?.device ?? null,
          latest: latest
            ? {
                ts: latest.ts,
                value: typeof latest.value === 'number' ? latest.value : null,
                good: latest.quality === 'good',
              }
            : null,
        }
      })
    },
    devices: async () => (await store.registry.list('devices', 'all')) as Device[],
    async alarmsChangedAfter(after, limit) {
      const changes = await store.alarmChangesSince(after, 'all', limit, [])
      const ids = [...new Set(changes.map((c) => c.change.alarm))]
      return { alarms: await alarms(ids), through: changes.at(-1)?.id ?? after, more: changes.length === limit }
    },
    alarms,
    async firstSnapshot(alarm) {
      const list = await store.alarmSnapshots(alarm, 'all')
      return list?.[0]?.id ?? null
    },
  }
}
