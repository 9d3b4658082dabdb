import type { ModbusTable } from '../../edge/drivers/modbus/address.ts'
import type { ByteOrder } from '../../edge/drivers/modbus/config.ts'

/**
 * The Node-RED side of the Modbus bench as a flow file: one `modbus-client` config node per
 * device (as parklink keeps one connection per device), one `modbus-read` node per register
 * block the edge's planner reads, at the same interval, each followed by a function node that
 * decodes the block's points as the edge does (float32 in the device's word order, scaled
 * int16, bits) and counts reads and samples in global context. A catch node counts failed
 * reads and the samples they cost; GET /bench answers the counters.
 */
export interface BlockPoint {
  offset: number
  type: 'bool' | 'int16' | 'float32'
  order: ByteOrder
  scale: number
}
export interface Block {
  table: ModbusTable
  start: number
  count: number
  points: BlockPoint[]
}
export interface FlowDevice {
  id: string
  host: string
  port: number
  unitId: number
  timeoutMs: number
  pollMs: number
  blocks: Block[]
}

// node-red-contrib-modbus's names for the four tables (FC 1, 2, 3, 4).
const DATA_TYPE: Record<ModbusTable, string> = {
  coil: 'Coil',
  discrete: 'Input',
  holding: 'HoldingRegister',
  input: 'InputRegister',
}

// Runs inside Node-RED (function node body): `msg.payload` is the block's registers (or bits).
const decodeBody = (points: BlockPoint[]) => `
const points = ${JSON.stringify(points)};
const w = msg.payload;
const c = global.get('bench') || { reads: 0, samples: 0, errors: 0, badSamples: 0 };
const buf = Buffer.alloc(4);
for (const p of points) {
  let v;
  if (p.type === 'bool') v = w[p.offset] === true || w[p.offset] === 1;
  else if (p.type === 'int16') v = ((w[p.offset] << 16) >> 16) * p.scale;
  else {
    const hi = p.order === 'CDAB' ? w[p.offset + 1] : w[p.offset];
    const lo = p.order === 'CDAB' ? w[p.offset] : w[p.offset + 1];
    buf.writeUInt16BE(hi, 0); buf.writeUInt16BE(lo, 2);
    v = buf.readFloatBE(0) * p.scale;
  }
  if (typeof v === 'number' && Number.isFinite(v) || typeof v === 'boolean') c.samples++;
}
c.reads++;
global.set('bench', c);
return null;`

// A failed read costs its block's samples, counted like the edge's bad samples (msg.error.source: the node that failed).
const countErrorBody = (pointsPerRead: Record<string, number>) => `
const pointsPerRead = ${JSON.stringify(pointsPerRead)};
const c = global.get('bench') || { reads: 0, samples: 0, errors: 0, badSamples: 0 };
c.errors++;
c.badSamples += pointsPerRead[msg.error && msg.error.source && msg.error.source.id] || 0;
global.set('bench', c);
return null;`

const answerBody = `
msg.payload = global.get('bench') || { reads: 0, samples: 0, errors: 0, badSamples: 0 };
return msg;`

export function benchFlow(devices: readonly FlowDevice[]): object[] {
  const z = 'bench-tab'
  const nodes: object[] = [{ id: z, type: 'tab', label: 'parklink modbus bench' }]
  const pointsPerRead: Record<string, number> = {}
  const fn = (id: string, name: string, func: string, wires: string[][] = [[]]) => ({
    id,
    type: 'function',
    z,
    name,
    func,
    outputs: 1,
    timeout: 0,
    noerr: 0,
    initialize: '',
    finalize: '',
    libs: [],
    x: 400,
    y: 40,
    wires,
  })
  for (const d of devices) {
    const client = `client-${d.id}`
    nodes.push({
      id: client,
      type: 'modbus-client',
      name: d.id,
      clienttype: 'tcp',
      bufferCommands: true,
      stateLogEnabled: false,
      queueLogEnabled: false,
      failureLogEnabled: false,
      tcpHost: d.host,
      tcpPort: String(d.port),
      tcpType: 'DEFAULT',
      serialPort: '/dev/ttyUSB',
      serialType: 'RTU-BUFFERD',
      serialBaudrate: '9600',
      serialDatabits: '8',
      serialStopbits: '1',
      serialParity: 'none',
      serialConnectionDelay: '100',
      serialAsciiResponseStartDelimiter: '0x3A',
      unit_id: String(d.unitId),
      commandDelay: '1',
      clientTimeout: String(d.timeoutMs),
      reconnectOnTimeout: true,
      reconnectTimeout: '2000',
      parallelUnitIdsAllowed: true,
      showErrors: false,
      showWarnings: false,
      showLogs: false,
    })
    d.blocks.forEach((b, i) => {
      const read = `read-${d.id}-${i}`
      const decode = `decode-${d.id}-${i}`
      pointsPerRead[read] = b.points.length
      nodes.push({
        id: read,
        type: 'modbus-read',
        z,
        name: `${d.id} ${b.table} ${b.start}+${b.count}`,
        topic: '',
        showStatusActivities: false,
        logIOActivities: false,
        showErrors: true,
        showWarnings: false,
        unitid: String(d.unitId),
        dataType: DATA_TYPE[b.table],
        adr: String(b.start),
        quantity: String(b.count),
        rate: String(d.pollMs),
        rateUnit: 'ms',
        delayOnStart: false,
        enableDeformedMessages: false,
        startDelayTime: '',
        server: client,
        useIOFile: false,
        ioFile: '',
        useIOForPayload: false,
        emptyMsgOnFail: false,
        x: 150,
        y: 40,
        wires: [[decode], []],
      })
      nodes.push(fn(decode, `decode ${b.table} ${b.start}`, decodeBody(b.points)))
    })
  }
  nodes.push(
    {
      id: 'bench-catch',
      type: 'catch',
      z,
      name: 'errors',
      scope: null,
      uncaught: false,
      x: 150,
      y: 400,
      wires: [['bench-count-error']],
    },
    fn('bench-count-error', 'count errors', countErrorBody(pointsPerRead)),
    {
      id: 'bench-http-in',
      type: 'http in',
      z,
      name: '',
      url: '/bench',
      method: 'get',
      upload: false,
      swaggerDoc: '',
      x: 150,
      y: 500,
      wires: [['bench-answer']],
    },
    fn('bench-answer', 'counters', answerBody, [['bench-http-out']]),
    {
      id: 'bench-http-out',
      type: 'http response',
      z,
      name: '',
      statusCode: '',
      headers: {},
      x: 600,
      y: 500,
      wires: [],
    },
  )
  return nodes
}

/** settings.js for a headless run: no editor, no admin API, HTTP-in nodes on 127.0.0.1:port, warnings only. */
export function benchSettings(o: { port: number; userDir: string; flowFile: string }): string {
  const settings = {
    uiHost: '127.0.0.1',
    uiPort: o.port,
    userDir: o.userDir,
    flowFile: o.flowFile,
    httpAdminRoot: false,
    httpNodeRoot: '/',
    disableEditor: true,
    credentialSecret: false,
    logging: { console: { level: 'warn', metrics: false, audit: false } },
    editorTheme: { tours: false },
    telemetry: { enabled: false },
    diagnostics: { enabled: false },
    runtimeState: { enabled: false },
  }
  return `module.exports = ${JSON.stringify(settings, null, 2)}\n`
}
