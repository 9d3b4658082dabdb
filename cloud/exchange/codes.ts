import { VideoCode } from '../../shared/wire/camera.ts'

/**
 * The code lists of the Jiangsu exchange specification as data (shared/domain/jiangsu-exchange.md
 * §0.2, §2, §3, §6), pure. Each list maps a code to its Chinese label; validation
 * (./validate.ts) refuses a value outside its list before a row is written.
 */
export type CodeList = Readonly<Record<string, string>>

/** U 计量单位 (§0.2; lines 19268, 20943). No codes for pressure, flow, %LEL, voltage or current. */
export const UNIT: CodeList = {
  '01': '立方米 m³',
  '02': '吨 t',
  '03': '%',
  '04': 'ppm',
  '05': 'mg/m³',
  '06': '℃',
  '07': 'mm',
  '08': 'cm',
  '09': 'm',
  '10': 'mL',
  '11': 'L',
}
/** EN 启用/运行状态. */
export const ENABLED: CodeList = { '01': '启用', '02': '停用' }
/** YN 是否 (delete flag, false alarm). */
export const YES_NO: CodeList = { '0': '否', '1': '是' }
/** DS 处置状态. */
export const DISPOSAL_STATUS: CodeList = { '01': '未处置', '02': '处置中', '03': '已处置' }
/** AS 报警状态 (#93/#94). */
export const ALARM_STATUS: CodeList = { '01': '正在持续', '02': '已销警', '03': '已结束' }
/** #93 报警类型: level-1 upper = 高报, level-2 upper = 高高报, level-1 lower = 低报, level-2 lower = 低低报 (brief §4). */
export const ALARM_TYPE: CodeList = { '01': '高报', '02': '高高报', '03': '低报', '04': '低低报' }
/** #152 关联设备类别. */
export const DEVICE_CATEGORY: CodeList = {
  '01': '企业危险源关键安全参数监测设备',
  '02': '企业有毒可燃监测设备',
  '03': '停车场有毒可燃监测设备',
  '04': '易燃易爆气体监测',
  '05': '公共管线',
  '06': '公用工程',
  '99': '其他',
}
/** #153 设备类型. */
export const GAS_DEVICE_TYPE: CodeList = {
  '01': '单点式气体传感器',
  '02': '大范围速扫设备',
  '03': '无人机载设备',
  '04': '气云成像设备',
  '05': '车载监测设备',
  '06': '轨道监测设备',
  '99': '其他',
}
/** #160 告警类型 / #158 规则类型 (letter codes). */
export const VIDEO_ALARM_TYPE: CodeList = Object.fromEntries(VideoCode.options.map((c) => [c, c]))
/** #160 通知对象类型. */
export const NOTIFY_TARGET: CodeList = { '01': '园区', '02': '企业', '03': '人员' }

/**
 * #152 指标类型: the spec points at its Appendix A.208, which is not in the source document.
 * parklink's provisional list (configurable: exchange.codeLists.indicatorType) until the
 * appendix is at hand.
 */
export const DEFAULT_INDICATOR_TYPE: CodeList = {
  '01': '温度',
  '02': '压力',
  '03': '液位',
  '04': '流量',
  '05': '有毒气体浓度',
  '06': '可燃气体浓度',
  '07': '沉降/位移',
  '08': '水质',
  '99': '其他',
}

/** The lists by name, as the table definitions (./tables.ts) refer to them. */
export const CODE_LISTS = {
  unit: UNIT,
  enabled: ENABLED,
  yesNo: YES_NO,
  disposalStatus: DISPOSAL_STATUS,
  alarmStatus: ALARM_STATUS,
  alarmType: ALARM_TYPE,
  deviceCategory: DEVICE_CATEGORY,
  gasDeviceType: GAS_DEVICE_TYPE,
  videoAlarmType: VIDEO_ALARM_TYPE,
  notifyTarget: NOTIFY_TARGET,
  indicatorType: DEFAULT_INDICATOR_TYPE,
} as const satisfies Record<string, CodeList>
export type CodeListName = keyof typeof CODE_LISTS
export type CodeLists = Record<CodeListName, CodeList>

/**
 * parklink unit text → U code (configurable: exchange.unitCodes). A point's own unitCode wins.
 * %LEL and %VOL are written as 03 % (the list has no %LEL): a choice, see README.
 */
export const DEFAULT_UNIT_CODES: Readonly<Record<string, string>> = {
  'm³': '01',
  m3: '01',
  t: '02',
  '%': '03',
  '%LEL': '03',
  '%VOL': '03',
  ppm: '04',
  'mg/m³': '05',
  'mg/m3': '05',
  '℃': '06',
  '°C': '06',
  mm: '07',
  cm: '08',
  m: '09',
  mL: '10',
  L: '11',
}

/** A point without its own 指标类型: derived from its unit (configurable: exchange.indicatorTypeByUnit). */
export const DEFAULT_INDICATOR_TYPE_BY_UNIT: Readonly<Record<string, string>> = {
  '℃': '01',
  '°C': '01',
  MPa: '02',
  kPa: '02',
  m: '03',
  'm³/h': '04',
  't/h': '04',
  ppm: '05',
  'mg/m³': '05',
  '%LEL': '06',
  mm: '07',
  'mg/L': '08',
}
