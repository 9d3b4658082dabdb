import type { Store } from '../../cloud/store/store.ts'
import { waitFor } from '../util/wait.ts'
import { batch, good, registry } from './helpers.ts'

/** The tank farm of the gas-leak warning tests: four NH₃ detectors of 实联 in one registry area. */
export const TANK_FARM = 'shilian-tf'
export const DETECTORS = ['shilian.gt101.nh3', 'shilian.gt102.nh3', 'shilian.gt103.nh3', 'shilian.gt104.nh3'] as const

/** Registers the detectors (H 20, HH 40 ppm) in the tank farm, and gives the test a way to feed and watch it. */
export async function tankFarm(store: Store, setClock: (at: number) => void) {
  const gasPoint = (id: string) => ({
    id,
    name: `罐区氨气检测${id.split('.')[1]?.toUpperCase()}`,
    unit: 'ppm',
    enterprise: 'shilian',
    class: 'gas' as const,
    limitsFromSource: false,
    limits: { hh: 40, h: 20, deadband: 1 },
  })
  await store.applyRegistry({
    ...registry,
    points: [...registry.points.filter((p) => p.id !== DETECTORS[0]), ...DETECTORS.map(gasPoint)],
  })
  await store.registry.create('areas', { id: TANK_FARM, enterprise: 'shilian', name: '液氨罐区', kind: 'tank farm' })
  for (const id of DETECTORS) await store.registry.patchPoint(id, { area: TANK_FARM })
  let seq = 0
  return {
    /** One batch of the detectors' values at `at`, through the store's own ingest and alarm rules. */
    async send(at: number, values: Record<string, number>): Promise<void> {
      setClock(at)
      await store.ingestBatch(
        batch(
          ++seq,
          Object.entries(values).map(([point, v]) => good(point, at, v)),
        ),
        { site: 'huaian', receivedAt: at },
      )
    },
    /** The tank farm's open warning once it has this colour. */
    colour: (want: string) =>
      waitFor(async () => {
        const w = await store.openGasWarning(TANK_FARM)
        return w?.colour === want ? w : null
      }),
  }
}
