// The shapes the ARERA use cases return: the clock fields of a work order, register rows, indicators, deadlines.
import type { Label, MissCause, RequestType, StandardCode, SuggestionRule } from '../domain/arera.js'
import type { ClockAction, ClockState } from '../domain/clock.js'
import type { StandardIndicator } from '../domain/indicators.js'
import type { IsoDate } from '../domain/working-days.js'

/** The second clock of a work order: the service the written request also asks for. */
export interface ServiceClockFields {
  type: StandardCode
  typeLabel: string
  inspection: boolean
  article: string | null
  standardWorkingDays: number | null
  startedAt: string
  dueDate: IsoDate | null
  doneAt: string | null
  daysLeft: number | null
  workingDaysTaken: number
  clockState: ClockState
  standardMet: boolean | null
  missCause: string | null
  confirmedAt: string | null
  confirmedBy: string | null
}

/** The ARERA fields of the work-order view. */
export interface ClockFields {
  type: string | null
  typeLabel: string | null
  suggestedType: string | null
  typeConfirmed: boolean
  typeConfirmedAt: string | null
  typeConfirmedBy: string | null
  service: string | null
  standardWorkingDays: number | null
  dueDate: string | null
  extendedDueDate: string | null
  daysLeft: number | null
  workingDaysTaken: number
  suspendedWorkingDays: number
  clockState: ClockState
  standardMet: boolean | null
  missCause: string | null
  clockEvents: Array<{ action: ClockAction; reason: string; days: number | null; at: string; actorName: string | null }>
  /** The territory whose calendar and standards apply (null: the deployment's). */
  territory: string | null
  territoryName: string
  /** Why an operator left the request without a due date. */
  noDueDateReason: string | null
  suggestedServiceType: string | null
  serviceClock: ServiceClockFields | null
}

export type Outcome = 'met' | 'missed' | 'pending' | 'no_standard'

/** Which clock a register row measures: the reasoned reply, or the service asked for next to it. */
export type ClockKind = 'reply' | 'service'

export interface RegisterEntry {
  workOrderId: number
  reference: string
  clock: ClockKind
  territory: string | null
  channel: string
  contributorId: number | null
  contributorName: string | null
  type: StandardCode
  typeLabel: string
  typeConfirmed: boolean
  service: string | null
  serviceLabel: string | null
  receivedAt: string
  receivedDate: IsoDate
  dueDate: IsoDate | null
  extendedDueDate: IsoDate | null
  /** The reply (reply clock) or the service performed (service clock). */
  replySentAt: string | null
  replyDate: IsoDate | null
  standardWorkingDays: number | null
  /** Net of suspensions; null until the reply is sent. */
  workingDaysTaken: number | null
  suspendedWorkingDays: number
  outcome: Outcome
  standardMet: boolean | null
  missCause: MissCause | null
}

export interface IndicatorsReport {
  year: number
  /** Requests are counted in the year of their receipt day (Europe/Rome): TQRIF art. 58.3 a. */
  basis: 'receipt'
  from: IsoDate
  to: IsoDate
  generatedAt: string
  /** null: every territory together. */
  territory: string | null
  scheme: { id: string; label: Label; minimumCompliancePercent: number | null } | null
  totals: { requests: number; withStandard: number; met: number; missed: number; pending: number }
  standards: StandardIndicator[]
}

export interface DeadlineFilter {
  mailboxId?: number
  type?: RequestType
  maxDaysLeft?: number
  /** true: only late requests; false: only those still on time. */
  overdue?: boolean
}

export interface DeadlineItem {
  workOrderId: number
  reference: string
  clock: ClockKind
  subject: string | null
  contributorId: number | null
  contributorName: string | null
  type: StandardCode
  typeLabel: string
  receivedAt: string
  dueDate: IsoDate
  extendedDueDate: IsoDate | null
  daysLeft: number
  clockState: ClockState
  mailboxId: number | null
}

/** A request awaiting its reply with no due date: its standard is off or its type has none. */
export interface UndatedItem {
  workOrderId: number
  reference: string
  type: string | null
  receivedAt: string
  territory: string | null
  /** null: nobody recorded why — the request needs an operator. */
  reason: string | null
}

export interface SuggestionView {
  type: RequestType
  confidence: 'high' | 'low'
  rule: SuggestionRule
  matched: string[]
  explanation: string
  service: { type: StandardCode; typeLabel: string; matched: string[] } | null
}
