import { describe, expect, it } from 'vitest'
import { staleSchemaFiles } from './schemas.ts'

describe('JSON Schemas of the config files', () => {
  it('are up to date with the zod schemas (run `npm run schemas`)', () => {
    expect(staleSchemaFiles()).toEqual([])
  })
})
