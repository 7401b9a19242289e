// Dates and years named in a request, checked once for every route: a day that does not exist (`2026-02-30`) or a
// year outside what the module can hold is a clear 400 naming the parameter, never rolled over or answered as a 500.
import { HttpError } from '../http-errors.js'

export interface YearRange {
  min: number
  max: number
}

/** Years a report, a register or an import may name: the module holds nothing before 2000; past 2100 is a typo. */
const YEARS: YearRange = { min: 2000, max: 2100 }

/** `YYYY-MM-DD` naming a day that exists, in the range (four-digit years only). */
export function isCalendarDay(value: unknown, years: YearRange = YEARS): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
  const year = Number(value.slice(0, 4))
  const date = new Date(`${value}T00:00:00Z`)
  return year >= years.min && year <= years.max && !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value
}

/** A calendar-day parameter: 400 `dateParamMissing` or `dateParamInvalid` naming it. */
export function parseDay(value: unknown, name: string, years: YearRange = YEARS): string {
  if (value === undefined || value === null || value === '') throw new HttpError(400, 'dateParamMissing', { name })
  if (!isCalendarDay(value, years)) throw new HttpError(400, 'dateParamInvalid', { name, value: String(value).slice(0, 40), ...years })
  return value
}

/** A year parameter: four digits within the range, else 400 `yearParamInvalid`. */
export function parseYear(value: unknown, years: YearRange = YEARS): number {
  const text = String(value ?? '')
  if (!/^\d{4}$/.test(text) || Number(text) < years.min || Number(text) > years.max)
    throw new HttpError(400, 'yearParamInvalid', { value: text.slice(0, 20), ...years })
  return Number(text)
}
