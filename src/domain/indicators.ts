// The yearly ARERA indicators (TQRIF art. 58.3) from register entries. Pure code.
//
// Per standard: the requests meeting it, those missing it split by cause (art. 55.1), and the average actual
// time over the requests that got their reply (art. 58.3 c: met and missed alike). A request still within its
// time at the moment of the report is neither met nor missed: it is counted as pending. A request with no reply
// whose due date has passed is already a miss.
import { MISS_CAUSES, STANDARD_CODES, type Label, type MissCause, type StandardCode, type Standards } from './arera.js'

export interface IndicatorInput {
  type: StandardCode
  standardMet: boolean | null
  missCause: MissCause | null
  /** Working days taken (net of suspensions); counted in the average only when `replied`. */
  workingDaysTaken: number
  replied: boolean
  /** The standard the request was measured against (null: none, not counted). */
  standardWorkingDays?: number | null
}

export type MissCauseCounts = Record<MissCause | 'non_registrata', number>

export interface StandardIndicator {
  type: StandardCode
  label: Label
  article: string | null
  /** The standard in force (for a standard switched off during the year: the one its requests had). */
  standardWorkingDays: number
  /** Inspection variant, when the standard has one. */
  standardWorkingDaysWithInspection: number | null
  toConfirm: boolean
  /** Every request of this type received in the period. */
  requests: number
  met: number
  missed: number
  missedByCause: MissCauseCounts
  /** Still within time, no reply yet. */
  pending: number
  /** met / (met + missed), one decimal; null when nothing was decided yet. */
  percentMet: number | null
  /** Average working days taken by the replied requests, one decimal; null when none. */
  averageWorkingDays: number | null
  /** The operator's minimum compliance percentage for this standard; null when the scheme sets none. */
  minimumPercent: number | null
  /** percentMet >= minimumPercent; null when either is unknown. */
  compliant: boolean | null
}

const round1 = (x: number) => Math.round(x * 10) / 10

function emptyCauseCounts(): MissCauseCounts {
  const counts = { non_registrata: 0 } as MissCauseCounts
  for (const c of MISS_CAUSES) counts[c.cause] = 0
  return counts
}

/**
 * One indicator per standard in force (or with requests counted under it), in the order of STANDARD_CODES. A
 * work order with a second clock counts once under each of its two standards.
 */
export function computeIndicators(
  entries: readonly IndicatorInput[],
  standards: Standards,
  minimumPercent: (type: StandardCode) => number | null
): StandardIndicator[] {
  const result: StandardIndicator[] = []
  for (const type of STANDARD_CODES) {
    const standard = standards[type]
    const rows = entries.filter((e) => e.type === type && (e.standardWorkingDays === undefined ? standard.workingDays : e.standardWorkingDays) !== null)
    if (standard.workingDays === null && rows.length === 0) continue
    const missedByCause = emptyCauseCounts()
    let met = 0
    let missed = 0
    let pending = 0
    let replied = 0
    let daysSum = 0
    for (const r of rows) {
      if (r.standardMet === true) met++
      else if (r.standardMet === false) {
        missed++
        missedByCause[r.missCause ?? 'non_registrata']++
      } else pending++
      if (r.replied) {
        replied++
        daysSum += r.workingDaysTaken
      }
    }
    const decided = met + missed
    const percentMet = decided === 0 ? null : round1((met / decided) * 100)
    const minimum = minimumPercent(type)
    result.push({
      type,
      label: standard.label,
      article: standard.article,
      toConfirm: standard.toConfirm,
      standardWorkingDaysWithInspection: standard.workingDaysWithInspection,
      standardWorkingDays: standard.workingDays ?? rows[0]?.standardWorkingDays ?? 0,
      requests: rows.length,
      met,
      missed,
      missedByCause,
      pending,
      percentMet,
      averageWorkingDays: replied === 0 ? null : round1(daysSum / replied),
      minimumPercent: minimum,
      compliant: percentMet === null || minimum === null ? null : percentMet >= minimum
    })
  }
  return result
}
