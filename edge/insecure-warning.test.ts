import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startEdgeAgent, type EdgeAgent } from './agent.ts'
import { parseEdgeConfig } from './config.ts'
import { captureLogger } from '../test/util/edge-support.ts'

/** Brief §7 / issue 20: a plain remote broker URL let through by allowInsecure is warned about at every start. */
describe('uplink.allowInsecure', () => {
  let dir: string | null = null
  let agent: EdgeAgent | null = null
  afterEach(async () => {
    await agent?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('warns at start, naming the setting and the URL', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-insecure-'))
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never reachable, the agent keeps reconnecting meanwhile.
    const config = parseEdgeConfig(
      'site: a\nedge: b\ndataDir: ./d\nuplink: { url: "mqtt://192.0.2.1:1883", allowInsecure: true }\ndevices: []\n',
      path.join(dir, 'edge.yaml'),
    )
    const { log, lines } = captureLogger()
    agent = await startEdgeAgent(config, { log })
    expect(
      lines().filter(
        (l) => l.level === 40 && /uplink\.allowInsecure: mqtt:\/\/192\.0\.2\.1:1883 is unencrypted/.test(String(l.msg)),
      ),
    ).toHaveLength(1)
  })
})
