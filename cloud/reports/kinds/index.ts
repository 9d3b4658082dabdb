import type { ReportKind } from '../config.ts'
import { alarmAnalysis } from './analysis.ts'
import { completenessReport } from './completeness.ts'
import type { KindBuilder } from './context.ts'
import { offlinePoints } from './offline.ts'
import { shiftReport } from './shift.ts'

/** Every report kind; a new kind is a builder here plus its name in config.ts ReportKind (README "Reports"). */
export const KINDS: Record<ReportKind, KindBuilder> = {
  offline_points: offlinePoints,
  shift: shiftReport,
  alarm_analysis: alarmAnalysis,
  completeness: completenessReport,
}
