import { afterEach, beforeEach, describe, expect } from 'vitest'
import type { BundleRepo } from '../../../cloud/store/repos/bundles.ts'
import type { Store } from '../../../cloud/store/store.ts'
import { boundRegistry, EDGE, LEVEL, type RepoHandle, sectionTest, type SectionOptions, T0 } from './fixtures.ts'

/** What the bundles section needs: BundleRepo, and the registry that binds points to edges. */
export type BundleRepos = BundleRepo & Pick<Store, 'applyRegistry'>

const push = (issuedAt: number) => ({
  issuedAt,
  configYaml: `# bundle ${issuedAt}\n`,
  at: issuedAt + 1,
  by: 'park-admin',
})

/** BundleRepo (cloud/store/repos/bundles.ts; issue 19) as executable tests. */
export function runBundleTests(options: SectionOptions<BundleRepos>): void {
  const test = sectionTest(options.skip)
  describe(`Store conformance: ${options.name} — bundles`, () => {
    let handle: RepoHandle<BundleRepos>
    let repos: BundleRepos
    beforeEach(async () => {
      handle = await options.newRepos({})
      repos = handle.repos
    })
    afterEach(() => handle.dispose())

    test('bundles: the rule facts of the registered points bound to the edge, none of another edge', async () => {
      expect(await repos.edgeRulePoints(EDGE)).toEqual([])
      await repos.applyRegistry(boundRegistry)
      expect(await repos.edgeRulePoints(EDGE)).toEqual([
        {
          id: LEVEL,
          class: 'mhs',
          limits: { hh: 10.5, h: 9.5, l: 2, ll: 1, deadband: 0.1 },
          rules: null,
        },
      ])
      expect(await repos.edgeRulePoints('park-01')).toEqual([])
    })

    test('bundles: a push awaits its answer; an accepted answer sets the expected hash, a refusal keeps the last one', async () => {
      expect(await repos.bundleStates()).toEqual([])
      await repos.recordBundlePush(EDGE, push(T0))
      const pushed = {
        edge: EDGE,
        issuedAt: T0,
        configYaml: `# bundle ${T0}\n`,
        pushedAt: T0 + 1,
        pushedBy: 'park-admin',
        outcome: null,
        error: null,
        answeredAt: null,
        expectedHash: null,
        acceptedIssuedAt: null,
      }
      expect(await repos.bundleStates()).toEqual([pushed])
      await repos.recordBundleAnswer(EDGE, T0, { outcome: 'applied', configHash: 'h-1', error: null, at: T0 + 5 })
      const applied = { ...pushed, outcome: 'applied', answeredAt: T0 + 5, expectedHash: 'h-1', acceptedIssuedAt: T0 }
      expect(await repos.bundleStates()).toEqual([applied])
      // The next push starts over; what the park expects stays until the edge accepts it.
      await repos.recordBundlePush(EDGE, push(T0 + 100))
      const error = { code: 'PL_CONFIG_INVALID', message: 'bad bundle' }
      await repos.recordBundleAnswer(EDGE, T0 + 100, { outcome: 'refused', configHash: 'h-1', error, at: T0 + 105 })
      expect(await repos.bundleStates()).toEqual([
        {
          ...pushed,
          issuedAt: T0 + 100,
          configYaml: `# bundle ${T0 + 100}\n`,
          pushedAt: T0 + 101,
          outcome: 'refused',
          error,
          answeredAt: T0 + 105,
          expectedHash: 'h-1',
          acceptedIssuedAt: T0,
        },
      ])
    })

    test('bundles: a late answer to an older push changes nothing; an unchanged answer without a hash sets none; one row per edge', async () => {
      await repos.recordBundlePush(EDGE, push(T0))
      await repos.recordBundlePush(EDGE, push(T0 + 100))
      await repos.recordBundleAnswer(EDGE, T0, { outcome: 'applied', configHash: 'h-old', error: null, at: T0 + 200 })
      expect(await repos.bundleStates()).toMatchObject([{ issuedAt: T0 + 100, outcome: null, expectedHash: null }])
      await repos.recordBundleAnswer(EDGE, T0 + 100, {
        outcome: 'unchanged',
        configHash: null,
        error: null,
        at: T0 + 300,
      })
      expect(await repos.bundleStates()).toMatchObject([
        { outcome: 'unchanged', expectedHash: null, acceptedIssuedAt: null },
      ])
      await repos.recordBundlePush('park-01', push(T0 + 400))
      await repos.recordBundlePush('A-01', push(T0 + 500))
      expect((await repos.bundleStates()).map((b) => b.edge)).toEqual(['A-01', 'park-01', EDGE])
    })
  })
}
