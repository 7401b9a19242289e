// Query parameters of the ARERA routes: clear Italian (or English) 400s instead of empty or wrong reports.
import { REQUEST_TYPE_CODES, isRequestType, type RequestType } from '../domain/arera.js'
import type { IsoDate } from '../domain/working-days.js'
import { HttpError, invalidField } from '../http-errors.js'
import { parseDay, parseYear } from './params.js'

const dateParam = (query: Record<string, unknown>, name: 'from' | 'to'): IsoDate => parseDay(query[name], name) as IsoDate

/** `from` and `to` as calendar days (both included); `from` must not come after `to`. */
export function parseDateRange(query: unknown): { from: IsoDate; to: IsoDate } {
  const q = (query ?? {}) as Record<string, unknown>
  const from = dateParam(q, 'from')
  const to = dateParam(q, 'to')
  if (from > to) throw new HttpError(400, 'dateRangeInverted', { from: from.split('-').reverse().join('/'), to: to.split('-').reverse().join('/') })
  return { from, to }
}

export { parseYear }

export interface DeadlineQuery {
  mailboxId?: number
  type?: RequestType
  maxDaysLeft?: number
  overdue?: boolean
}

export function parseDeadlineQuery(query: unknown): DeadlineQuery {
  const q = (query ?? {}) as Record<string, unknown>
  const result: DeadlineQuery = {}
  const present = (v: unknown) => v !== undefined && v !== ''
  if (present(q.mailboxId)) {
    const text = String(q.mailboxId)
    if (!/^\d{1,9}$/.test(text)) throw invalidField('mailboxId', 'type', { type: 'integer' })
    result.mailboxId = Number(text)
  }
  if (present(q.type)) {
    if (!isRequestType(q.type)) throw new HttpError(400, 'invalidRequestType', { value: String(q.type).slice(0, 60), allowed: REQUEST_TYPE_CODES.join(', ') })
    result.type = q.type
  }
  if (present(q.maxDaysLeft)) {
    const text = String(q.maxDaysLeft)
    if (!/^-?\d{1,4}$/.test(text)) throw invalidField('maxDaysLeft', 'type', { type: 'integer' })
    result.maxDaysLeft = Number(text)
  }
  if (present(q.overdue)) {
    if (q.overdue !== 'true' && q.overdue !== 'false' && typeof q.overdue !== 'boolean') throw invalidField('overdue', 'type', { type: 'boolean' })
    result.overdue = q.overdue === true || q.overdue === 'true'
  }
  return result
}
