import * as fs from 'node:fs'
import { existsSync, readFileSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { z } from 'zod'
import { writePrivateFile } from '../../shared/private-files.ts'

/**
 * What the demo keeps from one start to the next (issue 19), so a technician's bookmarks, a
 * Modbus or OPC UA client pointed at a simulator, and a script holding the API key keep working
 * after a restart: the simulators' ports and the demo API key, in DATA_DIR/demo-session.json
 * (mode 0600: it holds a key; demo mode only). `--fresh` forgets them; a port that is busy now
 * is replaced by a new one, and the caller logs it.
 */
export const SIMULATORS = ['plant', 'opcua', 'gallery', 'hj212'] as const
export type Simulator = (typeof SIMULATORS)[number]

const Port = z.number().int().min(1).max(65535)
const DemoSessionSchema = z.object({
  ports: z.object(
    Object.fromEntries(SIMULATORS.map((s) => [s, Port.optional()])) as Record<Simulator, z.ZodOptional<typeof Port>>,
  ),
  apiKey: z.string().min(1).max(512).optional(),
})
export type DemoSession = { ports: Record<Simulator, number>; apiKey?: string }

export const SESSION_FILE = 'demo-session.json'

export interface SessionDeps {
  /** Whether something may listen on this port now. */
  isFree: (port: number) => Promise<boolean>
  /** A free port (the OS's choice). */
  pick: () => Promise<number>
}

export interface LoadedSession {
  session: DemoSession
  /** Simulators whose kept port was busy and got a new one: [simulator, old, new]. */
  moved: Array<[Simulator, number, number]>
  /** Why nothing was reused: 'fresh' (asked), 'none' (first start), 'unreadable' (a damaged file). */
  reset: 'fresh' | 'none' | 'unreadable' | null
}

export async function loadDemoSession(
  dataDir: string,
  options: { fresh: boolean },
  deps: SessionDeps = { isFree: portIsFree, pick: freePortNow },
): Promise<LoadedSession> {
  const file = path.join(dataDir, SESSION_FILE)
  let kept: z.infer<typeof DemoSessionSchema> = { ports: {} as Record<Simulator, undefined> }
  let reset: LoadedSession['reset'] = null
  if (options.fresh) reset = 'fresh'
  else if (!existsSync(file)) reset = 'none'
  else {
    const parsed = DemoSessionSchema.safeParse(safeJson(readFileSync(file, 'utf8')))
    if (parsed.success) kept = parsed.data
    else reset = 'unreadable'
  }
  const ports = {} as Record<Simulator, number>
  const moved: LoadedSession['moved'] = []
  for (const s of SIMULATORS) {
    const old = kept.ports[s]
    if (old !== undefined && (await deps.isFree(old))) ports[s] = old
    else {
      ports[s] = await deps.pick()
      if (old !== undefined) moved.push([s, old, ports[s]])
    }
  }
  return { session: { ports, ...(kept.apiKey ? { apiKey: kept.apiKey } : {}) }, moved, reset }
}

/** Written owner-only: the file holds the demo API key (brief §7). */
export function saveDemoSession(dataDir: string, session: DemoSession): void {
  const file = path.join(dataDir, SESSION_FILE)
  writePrivateFile(fs, file, `${JSON.stringify(session, null, 2)}\n`)
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}

export async function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return await new Promise((resolve) => {
    const server = net.createServer()
    server.unref()
    server.once('error', () => resolve(false))
    server.listen(port, host, () => server.close(() => resolve(true)))
  })
}

async function freePortNow(host = '127.0.0.1'): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.once('error', reject)
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}
