import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  DataType,
  DataValue,
  StatusCodes,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAServer,
  SecurityPolicy,
  type StatusCode,
  Variant,
  nodesets,
  standardUnits,
  type EUInformation,
  type UAObject,
  type UAVariable,
} from 'node-opcua'
import { freePort } from '../util/ports.ts'
import { fuqiangOpcuaPoints, sampledValue, type OpcuaSimPoint } from './opcua-points.ts'

export { fuqiangOpcuaPoints, sampledValue, type OpcuaSimPoint }

/**
 * An enterprise DCS behind an OPC UA server, for tests and the demo (富强新材料 Fuqiang New
 * Materials: liquid-chlorine storage). Tanks TK-201/TK-202 with Level, Pressure and Temperature
 * as AnalogItems (EURange, EngineeringUnits) each with a NonExclusiveLimitAlarm holding the
 * control room's HH/H/L/LL; chlorine detectors (ppm). Values follow a smooth function of time,
 * or what a test sets. Node ids: `ns=1;s=TK201.Level`, `ns=1;s=GT201.Cl2`, …
 *
 * `restart()` brings the server back on the same port with the same values, as a DCS
 * server does after a reboot: the sessions and subscriptions of its clients are gone.
 */
export interface OpcuaSimOptions {
  port?: number
  /** Username/password pairs accepted besides anonymous. */
  users?: Array<{ username: string; password: string }>
  allowAnonymous?: boolean
  /** 0: the server refuses every subscription (drives the client's polled fallback). */
  maxSubscriptions?: number
  /** The only security policies offered (default None and Basic256Sha256), by their OPC UA name. */
  securityPolicies?: Array<keyof typeof SecurityPolicy>
  /** The only message security modes offered (default None, Sign, SignAndEncrypt). */
  securityModes?: Array<'None' | 'Sign' | 'SignAndEncrypt'>
  /**
   * false: a client certificate the server has not seen is refused (put under its pki/rejected),
   * as a DCS server does until its administrator trusts the edge. Default true.
   */
  trustUnknownClients?: boolean
}

export interface OpcuaSim {
  readonly port: number
  readonly endpoint: string
  readonly points: readonly OpcuaSimPoint[]
  /** Fixes a point's value (until cleared with null). */
  setValue(key: string, value: number | null): void
  /** Reports a point with this status code (e.g. StatusCodes.BadSensorFailure); null restores Good. */
  setStatus(key: string, status: StatusCode | null): void
  /**
   * Makes the Read service answer this status code for a point (null: normal again), as a DCS
   * whose I/O card stops answering on demand; the subscription's sampling is not affected.
   */
  setReadFault(key: string, status: StatusCode | null): void
  /** Read service calls received, and the nodes they asked for. */
  readonly reads: { calls: number; nodes: number }
  /** Changes the control room's limits of a point (seen by clients that read them again). */
  setLimits(key: string, limits: Partial<OpcuaSimPoint['limits']>): void
  readonly sessions: number
  stop(): Promise<void>
  restart(): Promise<void>
}

const celsius = standardUnits.degree_celsius
const units: Record<string, EUInformation> = {
  m: standardUnits.metre,
  MPa: standardUnits.megapascal ?? standardUnits.pascal,
  '°C': celsius,
  ppm: standardUnits.part_per_million ?? standardUnits.percent,
}

export async function startOpcuaSim(options: OpcuaSimOptions = {}): Promise<OpcuaSim> {
  const port = options.port ?? (await freePort())
  const pki = mkdtempSync(path.join(tmpdir(), 'parklink-opcua-sim-'))
  const fixed = new Map<string, number>()
  const status = new Map<string, { code: StatusCode; since: Date }>()
  const limits = new Map(fuqiangOpcuaPoints.map((p) => [p.key, { ...p.limits }]))
  const alarms = new Map<string, { setLimits(l: OpcuaSimPoint['limits']): void }>()
  const users = options.users ?? []
  const readFaults = new Map<string, StatusCode>()
  const reads = { calls: 0, nodes: 0 }
  const t0 = Date.now()
  let server: OPCUAServer | null = null

  const currentValue = (p: OpcuaSimPoint) => fixed.get(p.key) ?? sampledValue(p, Date.now() - t0)

  const build = async () => {
    const certificateManager = new OPCUACertificateManager({
      rootFolder: path.join(pki, 'server'),
      automaticallyAcceptUnknownCertificate: options.trustUnknownClients ?? true,
    })
    await certificateManager.initialize()
    const s = new OPCUAServer({
      port,
      resourcePath: '/UA/Fuqiang',
      nodeset_filename: [nodesets.standard],
      serverCertificateManager: certificateManager,
      securityPolicies: (options.securityPolicies ?? ['None', 'Basic256Sha256']).map((p) => SecurityPolicy[p]),
      securityModes: (options.securityModes ?? ['None', 'Sign', 'SignAndEncrypt']).map((m) => MessageSecurityMode[m]),
      allowAnonymous: options.allowAnonymous ?? true,
      userManager: {
        isValidUser: (username: string, password: string) =>
          users.some((u) => u.username === username && u.password === password),
      },
      buildInfo: { productName: 'parklink OPC UA simulator (Fuqiang DCS)', manufacturerName: 'parklink' },
      serverCapabilities: { maxSessions: 20 },
    })
    await s.initialize()
    if (options.maxSubscriptions !== undefined) {
      // Set after construction: the options treat 0 as "use the default".
      s.engine.serverCapabilities.maxSubscriptions = options.maxSubscriptions
      s.engine.serverCapabilities.maxSubscriptionsPerSession = options.maxSubscriptions
    }
    const addressSpace = s.engine.addressSpace!
    const ns = addressSpace.getOwnNamespace()
    const dcs = ns.addFolder(addressSpace.rootFolder.objects, { browseName: 'FuqiangDCS', nodeId: 's=FuqiangDCS' })
    const groups = new Map<string, UAObject>()
    for (const p of fuqiangOpcuaPoints) {
      const [equipment, measurement] = p.key.split('.') as [string, string]
      let group = groups.get(equipment)
      if (!group) {
        group = ns.addObject({
          organizedBy: dcs,
          browseName: equipment,
          nodeId: `s=${equipment}`,
          eventNotifier: 1,
          eventSourceOf: addressSpace.rootFolder.objects.server,
        })
        groups.set(equipment, group)
      }
      const variable: UAVariable = ns.addAnalogDataItem({
        componentOf: group,
        browseName: measurement,
        displayName: p.name,
        nodeId: `s=${p.key}`,
        dataType: 'Double',
        engineeringUnitsRange: p.range,
        engineeringUnits: units[p.unit] ?? standardUnits.percent,
        minimumSamplingInterval: 100,
        value: {
          timestamped_get: () => {
            const bad = status.get(p.key)
            // A bad value stays the same DataValue (same time) until it changes: node-opcua's
            // limit alarm throws when told twice that its input went bad.
            if (bad)
              return new DataValue({
                value: new Variant({ dataType: DataType.Double, value: 0 }),
                statusCode: bad.code,
                sourceTimestamp: bad.since,
                serverTimestamp: bad.since,
              })
            const now = new Date()
            return new DataValue({
              value: new Variant({ dataType: DataType.Double, value: currentValue(p) }),
              statusCode: StatusCodes.Good,
              sourceTimestamp: now,
              serverTimestamp: now,
            })
          },
        },
      })
      const l = limits.get(p.key)!
      const alarm = ns.instantiateNonExclusiveLimitAlarm('NonExclusiveLimitAlarmType', {
        componentOf: group,
        browseName: `${measurement}Alarm`,
        nodeId: `s=${p.key}.Alarm`,
        conditionSource: group,
        inputNode: variable,
        highHighLimit: l.hh,
        highLimit: l.h,
        // Optional in Part 9 §5.8.17: node-opcua creates a limit only for a key present in the
        // options (its typings ask for lowLimit anyway, hence the cast).
        ...((l.l === undefined ? {} : { lowLimit: l.l }) as { lowLimit: number }),
        ...(l.ll === undefined ? {} : { lowLowLimit: l.ll }),
      })
      // node-opcua's limit alarm throws (from a timer) when its input stays bad across two
      // samples ("condition values have not change"); a DCS would just keep the alarm state.
      const evaluate = alarm as unknown as { _onInputDataValueChange(dv: DataValue): void }
      const onInput = evaluate._onInputDataValueChange.bind(alarm)
      evaluate._onInputDataValueChange = (dv) => {
        try {
          onInput(dv)
        } catch {
          // the alarm keeps its state
        }
      }
      alarms.set(p.key, {
        setLimits: (next) => {
          alarm.setHighHighLimit(next.hh)
          alarm.setHighLimit(next.h)
          if (next.l !== undefined) alarm.setLowLimit(next.l)
          if (next.ll !== undefined) alarm.setLowLowLimit(next.ll)
        },
      })
    }
    // The Read service only (monitored items sample the variables directly): faults and counts.
    const engine = s.engine as unknown as {
      read(context: unknown, request: { nodesToRead?: Array<{ nodeId: { toString(): string } }> }): Promise<DataValue[]>
    }
    const read = engine.read.bind(engine)
    engine.read = async (context, request) => {
      reads.calls++
      reads.nodes += request.nodesToRead?.length ?? 0
      const results = await read(context, request)
      return results.map((dv, i) => {
        const id = request.nodesToRead?.[i]?.nodeId.toString().replace(/^ns=1;s=/, '')
        const fault = id === undefined ? undefined : readFaults.get(id)
        return fault ? new DataValue({ statusCode: fault, serverTimestamp: new Date() }) : dv
      })
    }
    await s.start()
    return s
  }

  server = await build()
  return {
    port,
    endpoint: `opc.tcp://127.0.0.1:${port}/UA/Fuqiang`,
    points: fuqiangOpcuaPoints,
    setValue: (key, value) => void (value === null ? fixed.delete(key) : fixed.set(key, value)),
    setStatus: (key, code) => void (code === null ? status.delete(key) : status.set(key, { code, since: new Date() })),
    setReadFault: (key, code) => void (code === null ? readFaults.delete(key) : readFaults.set(key, code)),
    reads,
    setLimits(key, next) {
      const merged = { ...limits.get(key)!, ...next }
      limits.set(key, merged)
      alarms.get(key)?.setLimits(merged)
    },
    get sessions() {
      return server?.currentSessionCount ?? 0
    },
    async stop() {
      const s = server
      server = null
      if (s) await s.shutdown(0)
      // The server's certificate goes with it; a restart makes a new one (tests accept it).
      rmSync(pki, { recursive: true, force: true })
    },
    async restart() {
      if (server) return
      server = await build()
    },
  }
}
