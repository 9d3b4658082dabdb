#!/usr/bin/env node
// The `parklink` command. The sources are TypeScript run through tsx's loader, so an edge box
// runs exactly the code that was tested (no separate build step to forget).
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../cli.ts')
process.exitCode = await main(process.argv)
