import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DataType, OPCUACertificateManager, OPCUAServer, Variant, nodesets, type UAVariable } from 'node-opcua'

/**
 * The OPC UA bench's server, in its own process so the edge's CPU is measured alone:
 * `node --import tsx opcua-load-server.ts PORT TAGS` serves TAGS Double variables
 * `ns=1;s=Tag{i}` that all change once a second (setValueFromSource: a DCS pushing fresh
 * values, each with its source timestamp). Prints `ready` once listening.
 */
const [port, tags] = process.argv.slice(2).map(Number) as [number, number]
const pki = mkdtempSync(path.join(tmpdir(), 'parklink-opcua-bench-'))
const certificateManager = new OPCUACertificateManager({ rootFolder: pki, automaticallyAcceptUnknownCertificate: true })
await certificateManager.initialize()
const server = new OPCUAServer({
  port,
  resourcePath: '/UA/Bench',
  nodeset_filename: [nodesets.standard],
  serverCertificateManager: certificateManager,
  serverCapabilities: {
    maxMonitoredItemsPerSubscription: 100_000,
    maxMonitoredItems: 100_000,
    operationLimits: { maxNodesPerRead: 100_000 },
  },
})
await server.initialize()
const addressSpace = server.engine.addressSpace!
const ns = addressSpace.getOwnNamespace()
const folder = ns.addFolder(addressSpace.rootFolder.objects, { browseName: 'Bench' })
const variables: UAVariable[] = Array.from({ length: tags }, (_, i) =>
  ns.addVariable({
    componentOf: folder,
    browseName: `Tag${i}`,
    nodeId: `s=Tag${i}`,
    dataType: 'Double',
    minimumSamplingInterval: 0,
    value: new Variant({ dataType: DataType.Double, value: 0 }),
  }),
)
let tick = 0
const timer = setInterval(() => {
  tick++
  for (let i = 0; i < variables.length; i++)
    variables[i]!.setValueFromSource(new Variant({ dataType: DataType.Double, value: tick + i / 1_000 }))
}, 1_000)
await server.start()
console.log('ready')
process.on('SIGTERM', () => {
  clearInterval(timer)
  void server.shutdown(0).finally(() => {
    rmSync(pki, { recursive: true, force: true })
    process.exit(0)
  })
})
