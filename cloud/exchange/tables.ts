import type { CodeListName } from './codes.ts'

/**
 * The front-end database tables (前置库) as data: one per data set, columns named after the
 * field lists of shared/domain/jiangsu-exchange.md (the spec gives Chinese names only; `label`
 * keeps them), with their code lists. Every table has the common fields of §0.1: a UUID `id`,
 * `park_id`, the delete flag and the four audit fields; parklink adds `row_hash` (the content
 * hash that makes an unchanged row not rewritten).
 *
 * `required`: true = 必填 (*); 'handled' = required once the disposal status is 03 (the spec
 * stars 处置措施 and 处置人编号 on #93, which no one can know before handling: a choice).
 */
export type ColumnType = 'uuid' | 'text' | 'number' | 'time' | 'date' | 'code'
export interface ColumnDef {
  name: string
  label: string
  type: ColumnType
  required: boolean | 'handled'
  codes?: CodeListName
}
export interface TableDef {
  /** The data set's number in the exchange table (#152 …), or a parklink name. */
  dataset: string
  name: string
  label: string
  columns: readonly ColumnDef[]
}

const col = (name: string, label: string, type: ColumnType, required: ColumnDef['required'] = true): ColumnDef => ({
  name,
  label,
  type,
  required,
})
const code = (name: string, label: string, codes: CodeListName, required: ColumnDef['required'] = true): ColumnDef => ({
  name,
  label,
  type: 'code',
  required,
  codes,
})

const HEAD = [col('id', '编号(ID)', 'uuid'), col('park_id', '园区编号', 'text')]
/** §0.1: the delete flag and the audit fields close every list. */
export const AUDIT = [
  code('delete_flag', '删除标志', 'yesNo'),
  col('created_at', '创建时间', 'time'),
  col('created_by', '创建人', 'text'),
  col('updated_at', '最后修改时间', 'time'),
  col('updated_by', '最后修改人', 'text'),
] as const
export const AUDIT_COLUMNS = AUDIT.map((c) => c.name)

const table = (dataset: string, name: string, label: string, body: ColumnDef[]): TableDef => ({
  dataset,
  name,
  label,
  columns: [...HEAD, ...body, ...AUDIT],
})

/** #152 监测指标信息 (line 20943), on change. */
export const INDICATOR_TABLE = table('152', 'jx152_monitor_indicator', '监测指标信息', [
  col('device_code', '所属监测设备编码', 'uuid'),
  code('linked_device_category', '关联设备类别', 'deviceCategory'),
  col('indicator_name', '指标名称', 'text'),
  code('indicator_type', '指标类型', 'indicatorType'),
  code('unit', '计量单位', 'unit'),
  col('description', '指标描述', 'text', false),
  col('monitored_substance_name', '监测物质名称', 'text'),
  col('gas_cas', '监测气体CAS', 'text', false),
  col('level1_upper_threshold', '一级阈值上限', 'number', false),
  col('level2_upper_threshold', '二级阈值上限', 'number', false),
  col('level1_lower_threshold', '一级阈值下限', 'number', false),
  col('level2_lower_threshold', '二级阈值下限', 'number', false),
  col('range_upper', '量程上限', 'number', false),
  col('range_lower', '量程下限', 'number', false),
])

/** #153 易燃易爆有毒有害气体泄漏监测管控设备信息 (line 20963), on change: devices of category 04. */
export const GAS_DEVICE_TABLE = table('153', 'jx153_gas_leak_device', '易燃易爆有毒有害气体泄漏监测管控设备信息', [
  col('device_name', '设备名称', 'text'),
  code('device_type', '设备类型', 'gasDeviceType'),
  code('run_state', '设备运行状态', 'enabled'),
  col('coverage_radius_m', '覆盖半径（m）', 'number'),
  col('longitude', '经度', 'number'),
  col('latitude', '纬度', 'number'),
  col('commissioning_date', '投用日期', 'date'),
])

/**
 * #154 易燃易爆有毒有害气体泄漏实时监测数据: the spec defers to its §5.4.3, which is not in the
 * source. parklink's shape (a choice): one reading per gas indicator and interval.
 */
export const REALTIME_TABLE = table('154', 'jx154_gas_leak_realtime', '易燃易爆有毒有害气体泄漏实时监测数据', [
  col('indicator_id', '监测指标编号', 'uuid'),
  col('device_code', '所属监测设备编码', 'uuid'),
  col('monitor_value', '监测值', 'number'),
  code('unit', '计量单位', 'unit'),
  col('data_time', '数据时间', 'time'),
])

/**
 * Over-limit alarms of every indicator and their closure, in #93's field list (停车场有毒可燃监测
 * 预警闭环处置信息, line 20229): the spec has no field list for the enterprises' hazard-source
 * alarms (§9), so #93's is used for all; 停车场编码 is filled for parking-lot detectors only.
 */
export const ALARM_TABLE = table('93', 'jx093_alarm_closure', '监测预警闭环处置信息', [
  col('parking_lot_code', '停车场编码', 'text', false),
  col('alarm_no', '报警编号', 'text'),
  col('indicator_id', '监测指标编号', 'uuid'),
  col('alarm_time', '报警时间', 'time'),
  col('alarm_content', '报警内容', 'text'),
  code('alarm_type', '报警类型', 'alarmType'),
  code('alarm_status', '报警状态', 'alarmStatus'),
  code('disposal_status', '处置状态', 'disposalStatus'),
  col('disposal_time', '处置时间', 'time', false),
  col('clear_time', '销警时间', 'time', false),
  col('disposal_measures', '处置措施', 'text', 'handled'),
  col('handler_id', '处置人编号', 'uuid', 'handled'),
  code('is_false_alarm', '是否误报', 'yesNo'),
])

/** #160 视频智能监控数据 (line 21053), real-time: video AI alarms and their handling. */
export const VIDEO_ALARM_TABLE = table('160', 'jx160_video_ai_alarm', '视频智能监控数据', [
  code('alarm_type', '告警类型', 'videoAlarmType'),
  col('alarm_time', '报警时间', 'time'),
  col('clear_time', '消警时间', 'time', false),
  col('alarm_image', '告警图片', 'text'),
  col('device_id', '告警设备编号', 'uuid'),
  code('notify_target_type', '通知对象类型', 'notifyTarget'),
  col('notify_time', '通知时间', 'time'),
  col('disposal_measures', '处置措施', 'text', false),
  code('disposal_status', '处置状态', 'disposalStatus'),
  code('is_false_alarm', '是否误报', 'yesNo'),
  col('disposal_time', '处置时间', 'time', false),
  col('handler_id', '处置人编号', 'uuid', false),
])

export const TABLES: readonly TableDef[] = [
  INDICATOR_TABLE,
  GAS_DEVICE_TABLE,
  REALTIME_TABLE,
  ALARM_TABLE,
  VIDEO_ALARM_TABLE,
]

/** parklink's bookkeeping in the exchange database (not provincial tables). */
export const LOG_TABLE = 'parklink_exchange_log'
export const HELD_TABLE = 'parklink_exchange_held'
export const WATERMARK_TABLE = 'parklink_exchange_watermark'
