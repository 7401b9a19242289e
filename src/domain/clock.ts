// The ARERA clock of one request: due date, working days left or taken, compliance. Pure code, no I/O, no
// hidden clock: the caller passes `now`.
//
// What the regulation says, and what we allow on top of it:
// - TQRIF measures the time between the day the operator *receives* a request and the day it *sends* the
//   reasoned reply (or performs the service), in working days; the receipt day is day 0 (see
//   `WorkingCalendar.addWorkingDays`). Sending the reply stops the clock.
// - We could not verify any TQRIF rule that suspends the general standards. ARERA's other quality texts (for
//   the water service, RQSII) measure several times net of the time the user takes to provide what the operator
//   needs — to verify for TQRIF. So we allow one conservative pause: **suspend** only while waiting for
//   information or documents from the user, with a written reason, only while the clock runs and the request
//   is not already late, and every event is audited and shown in the register (suspended working days column).
//   The suspended working days (from the day after the suspension to the resume day, both as in day 0 rules)
//   are left out of the time taken and push the due date.
// - **extend** never changes compliance: TQRIF sets no extension of a standard. It records an operational
//   target (e.g. a later date agreed with the user for a complex case) shown next to the regulatory due date.
//   A reply after the regulatory due date is a miss; the operator records its cause (force majeure, user or
//   third parties, operator — TQRIF art. 55.1).
import { romeDate, type IsoDate, type WorkingCalendar } from './working-days.js'

export type ClockAction = 'suspend' | 'resume' | 'extend'

export interface ClockEvent {
  action: ClockAction
  /** When the operator recorded it (an instant; its Rome day is what counts). */
  at: Date
  /** Working days of an extension; ignored otherwise. */
  days: number | null
}

export type ClockState =
  /** The type has no standard: nothing to measure. */
  | 'none'
  | 'running'
  | 'suspended'
  /** The reasoned reply was sent. */
  | 'stopped'

export interface ClockInput {
  /** Working days of the standard, or null when the type has none. */
  standardWorkingDays: number | null
  receivedAt: Date
  replySentAt: Date | null
  events: readonly ClockEvent[]
  now: Date
}

export interface Clock {
  state: ClockState
  standardWorkingDays: number | null
  /** Rome day of receipt (day 0). */
  receivedDate: IsoDate
  /** Rome day the reply was sent, if it was. */
  replyDate: IsoDate | null
  /** The regulatory due date, pushed by suspensions (by the days so far while one is open). */
  dueDate: IsoDate | null
  /** Operational target after extensions; null without extensions. Never used for compliance. */
  extendedDueDate: IsoDate | null
  /** Working days left before the due date (0 on the day itself, negative when late); null when stopped or none. */
  daysLeft: number | null
  /** Working days taken, net of suspensions: to the reply once sent, to today while running. */
  workingDaysTaken: number
  /** Working days the clock was suspended (so far). */
  suspendedWorkingDays: number
  /** true/false once the reply was sent or the due date passed; null while on time or without a standard. */
  standardMet: boolean | null
  /** Whether a suspension is open. */
  suspended: boolean
}

interface Interval {
  from: IsoDate
  to: IsoDate | null
}

/** Suspension intervals from the events, in order; an unmatched `resume` is ignored. */
function suspensionIntervals(events: readonly ClockEvent[]): Interval[] {
  const sorted = [...events].sort((a, b) => a.at.getTime() - b.at.getTime())
  const intervals: Interval[] = []
  let open: IsoDate | null = null
  for (const e of sorted) {
    if (e.action === 'suspend' && open === null) open = romeDate(e.at)
    else if (e.action === 'resume' && open !== null) {
      intervals.push({ from: open, to: romeDate(e.at) })
      open = null
    }
  }
  if (open !== null) intervals.push({ from: open, to: null })
  return intervals
}

/** Working days of the suspensions that fall in (start, end]. */
function suspendedWithin(calendar: WorkingCalendar, intervals: readonly Interval[], start: IsoDate, end: IsoDate): number {
  let total = 0
  for (const i of intervals) {
    const from = i.from > start ? i.from : start
    const to = i.to === null || i.to > end ? end : i.to
    total += calendar.workingDaysBetween(from, to)
  }
  return total
}

export function computeClock(calendar: WorkingCalendar, input: ClockInput): Clock {
  const receivedDate = romeDate(input.receivedAt)
  const replyDate = input.replySentAt ? romeDate(input.replySentAt) : null
  const today = romeDate(input.now)
  const intervals = suspensionIntervals(input.events)
  const suspended = replyDate === null && intervals.some((i) => i.to === null)
  const extensionDays = input.events.filter((e) => e.action === 'extend').reduce((sum, e) => sum + Math.max(0, e.days ?? 0), 0)
  // The clock ends at the reply; while it runs, "so far" means today.
  const end = replyDate ?? today
  const suspendedWorkingDays = suspendedWithin(calendar, intervals, receivedDate, end)
  const workingDaysTaken = Math.max(0, calendar.workingDaysBetween(receivedDate, end) - suspendedWorkingDays)
  const n = input.standardWorkingDays
  if (n === null) {
    return {
      state: 'none',
      standardWorkingDays: null,
      receivedDate,
      replyDate,
      dueDate: null,
      extendedDueDate: null,
      daysLeft: null,
      workingDaysTaken,
      suspendedWorkingDays,
      standardMet: null,
      suspended
    }
  }
  const dueDate = calendar.addWorkingDays(receivedDate, n + suspendedWorkingDays)
  const extendedDueDate = extensionDays > 0 ? calendar.addWorkingDays(dueDate, extensionDays) : null
  if (replyDate !== null) {
    return {
      state: 'stopped',
      standardWorkingDays: n,
      receivedDate,
      replyDate,
      dueDate,
      extendedDueDate,
      daysLeft: null,
      workingDaysTaken,
      suspendedWorkingDays,
      standardMet: workingDaysTaken <= n,
      suspended: false
    }
  }
  const daysLeft = n - workingDaysTaken
  return {
    state: suspended ? 'suspended' : 'running',
    standardWorkingDays: n,
    receivedDate,
    replyDate: null,
    dueDate,
    extendedDueDate,
    daysLeft,
    workingDaysTaken,
    suspendedWorkingDays,
    standardMet: daysLeft < 0 ? false : null,
    suspended
  }
}

export type ClockRefusal = 'noStandard' | 'replied' | 'alreadySuspended' | 'notSuspended' | 'late'

/**
 * Whether an action is allowed now (conservative rules above). Suspending a late request is refused: a pause
 * must not turn a miss into compliance after the fact.
 */
export function checkClockAction(clock: Clock, action: ClockAction): ClockRefusal | null {
  if (clock.state === 'none') return 'noStandard'
  if (clock.state === 'stopped') return 'replied'
  if (action === 'suspend') {
    if (clock.suspended) return 'alreadySuspended'
    if ((clock.daysLeft ?? 0) < 0) return 'late'
  }
  if (action === 'resume' && !clock.suspended) return 'notSuspended'
  return null
}
