/**
 * The OPC UA simulator's points (富强新材料 Fuqiang New Materials, liquid chlorine), apart from
 * the server (test/sim/opcua-sim.ts), so configs and tests can read them without loading
 * node-opcua. Values follow a smooth function of the time since the server started.
 */
export interface OpcuaSimPoint {
  key: string
  nodeId: string
  name: string
  unit: string
  range: { low: number; high: number }
  /** The control room's alarm limits; detectors have no low ones. */
  limits: { hh: number; h: number; l?: number; ll?: number }
  model: (t: number) => number
}

const wave = (mean: number, amplitude: number, periodS: number) => (t: number) =>
  mean + amplitude * Math.sin((2 * Math.PI * t) / (periodS * 1000))

const tank = (n: string, level: number): OpcuaSimPoint[] => [
  {
    key: `TK${n}.Level`,
    nodeId: `ns=1;s=TK${n}.Level`,
    name: `液氯储罐TK-${n}液位`,
    unit: 'm',
    range: { low: 0, high: 12 },
    limits: { hh: 10.5, h: 9.5, l: 1.5, ll: 0.8 },
    model: wave(level, 0.4, 240),
  },
  {
    key: `TK${n}.Pressure`,
    nodeId: `ns=1;s=TK${n}.Pressure`,
    name: `液氯储罐TK-${n}压力`,
    unit: 'MPa',
    range: { low: 0, high: 2.5 },
    limits: { hh: 1.2, h: 1.0, l: 0.1, ll: 0.05 },
    model: wave(0.65, 0.03, 90),
  },
  {
    key: `TK${n}.Temperature`,
    nodeId: `ns=1;s=TK${n}.Temperature`,
    name: `液氯储罐TK-${n}温度`,
    unit: '°C',
    range: { low: -40, high: 80 },
    limits: { hh: 45, h: 40, l: -20, ll: -30 },
    model: wave(21, 1.5, 600),
  },
]
const detector = (n: string, mean: number): OpcuaSimPoint => ({
  key: `GT${n}.Cl2`,
  nodeId: `ns=1;s=GT${n}.Cl2`,
  name: `氯气检测器GT-${n}`,
  unit: 'ppm',
  range: { low: 0, high: 20 },
  limits: { hh: 2, h: 1 },
  model: wave(mean, mean * 0.3, 45),
})

export const fuqiangOpcuaPoints: readonly OpcuaSimPoint[] = Object.freeze([
  ...tank('201', 6.2),
  ...tank('202', 4.8),
  detector('201', 0.2),
  detector('202', 0.15),
])

/** What the server reports for a point `elapsedMs` after it started (to 0.001). */
export const sampledValue = (p: OpcuaSimPoint, elapsedMs: number) => Math.round(p.model(elapsedMs) * 1000) / 1000
