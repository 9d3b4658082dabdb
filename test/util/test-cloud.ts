import type { CloudConfig } from '../../cloud/config.ts'
import { type CloudOptions, type RunningCloud, startCloud } from '../../cloud/service.ts'
import { withTestEngine } from './test-store.ts'

/** startCloud on this run's store engine (PARKLINK_TEST_STORE, test/util/test-store.ts). */
export async function startTestCloud(config: CloudConfig, options?: CloudOptions): Promise<RunningCloud> {
  return startCloud(await withTestEngine(config), options)
}
