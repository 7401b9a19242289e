// Working-day calendar in Europe/Rome for the ARERA TQRIF clock (delibera 15/2022/R/rif).
//
// Pure code: no I/O and no hidden clock. Every regulatory deadline in TQRIF is expressed in working days
// ("giorni lavorativi") counted from the day the operator receives a request, so the whole module works
// on calendar days ('YYYY-MM-DD'), never on instants: the only bridge from an instant to a day is
// `romeDate`, which applies the Italian time zone (DST included).

/**
 * A calendar day as 'YYYY-MM-DD' (ISO 8601, four-digit year).
 *
 * Why a string and not a Date: a deadline is a day in Italy, not an instant; a Date carries a time and a
 * time zone that silently shift the day when the server runs in UTC. Strings also compare correctly with
 * `<` and serialise to SQL DATE and JSON unchanged.
 */
export type IsoDate = string

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7

/** The time zone in which ARERA receipt and reply dates are reckoned. */
const ROME_TIME_ZONE = 'Europe/Rome'

/** Monday to Friday: the default working week of an Italian operator's back office (configurable). */
const DEFAULT_WORKING_WEEKDAYS: readonly IsoWeekday[] = Object.freeze([1, 2, 3, 4, 5] as IsoWeekday[])

const MS_PER_DAY = 86_400_000
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** A labelled day off. `name` is the Italian label shown to operators; `nameEn` the English one. */
export interface Holiday {
  date: IsoDate
  name: string
  nameEn: string
  kind: 'national' | 'patron' | 'closure'
}

/** The municipality's patron saint: a local holiday every year on the same day. */
export interface PatronSaint {
  /** 1..12 */
  month: number
  /** 1..31 */
  day: number
  /** Italian name, e.g. 'San Petronio'. */
  name: string
}

/** An extra closure of the operator's offices; a bare IsoDate gets a generic label. */
export type ExtraClosure = IsoDate | { date: IsoDate; name: string; nameEn?: string }

// ---------------------------------------------------------------------------------------------------
// Day arithmetic on day numbers (days since 1970-01-01, proleptic Gregorian, no time zone involved).

interface Ymd {
  year: number
  month: number
  day: number
}

function parseYmd(date: IsoDate): Ymd {
  const m = typeof date === 'string' ? ISO_DATE.exec(date) : null
  if (m) {
    const year = Number(m[1])
    const month = Number(m[2])
    const day = Number(m[3])
    if (month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)) return { year, month, day }
  }
  throw new RangeError(`Invalid calendar date "${String(date)}": expected YYYY-MM-DD`)
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

function toDayNumber(year: number, month: number, day: number): number {
  // Date.UTC maps years 0..99 to 1900..1999; setUTCFullYear does not.
  const d = new Date(Date.UTC(2000, month - 1, day))
  d.setUTCFullYear(year)
  return Math.round(d.getTime() / MS_PER_DAY)
}

function dayNumberOf(date: IsoDate): number {
  const { year, month, day } = parseYmd(date)
  return toDayNumber(year, month, day)
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0')
}

function fromDayNumber(dayNumber: number): IsoDate {
  const d = new Date(dayNumber * MS_PER_DAY)
  const year = d.getUTCFullYear()
  if (year < 0 || year > 9999) throw new RangeError(`Date out of range (year ${year})`)
  return `${pad(year, 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`
}

function yearOfDayNumber(dayNumber: number): number {
  return new Date(dayNumber * MS_PER_DAY).getUTCFullYear()
}

function weekdayOfDayNumber(dayNumber: number): IsoWeekday {
  // 1970-01-01 was a Thursday (ISO 4).
  return (((((dayNumber + 3) % 7) + 7) % 7) + 1) as IsoWeekday
}

/** True for a well-formed, existing calendar day 'YYYY-MM-DD' (e.g. '2026-02-29' is false). */
export function isIsoDate(value: unknown): value is IsoDate {
  if (typeof value !== 'string') return false
  try {
    parseYmd(value)
    return true
  } catch {
    return false
  }
}

/** ISO weekday of a calendar day (1 = Monday … 7 = Sunday). */
export function isoWeekday(date: IsoDate): IsoWeekday {
  return weekdayOfDayNumber(dayNumberOf(date))
}

/** Calendar-day arithmetic (negative `days` go back). Time zones play no part: these are days, not instants. */
export function addCalendarDays(date: IsoDate, days: number): IsoDate {
  if (!Number.isInteger(days)) throw new RangeError(`days must be an integer, got ${days}`)
  return fromDayNumber(dayNumberOf(date) + days)
}

// ---------------------------------------------------------------------------------------------------
// Time zone.

const romeFormatter = new Intl.DateTimeFormat('en-CA', {
  timeZone: ROME_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit'
})

/**
 * The calendar day in Europe/Rome of an instant.
 *
 * Why: ARERA counts from the day the operator *receives* a request, and that day is the Italian one. An email
 * received at 00:30 Italian time is received on that Italian day even though it is still the previous day in
 * UTC. Intl applies the CET (+1) / CEST (+2) switch, so 2026-03-28T23:30:00Z (00:30 CET, half an hour before
 * the 29 March 2026 DST change) is 2026-03-29, and 2026-10-24T22:30:00Z (00:30 CEST) is 2026-10-25.
 */
export function romeDate(instant: Date): IsoDate {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) {
    throw new RangeError('romeDate needs a valid Date')
  }
  let year = ''
  let month = ''
  let day = ''
  for (const part of romeFormatter.formatToParts(instant)) {
    if (part.type === 'year') year = part.value
    else if (part.type === 'month') month = part.value
    else if (part.type === 'day') day = part.value
  }
  const result = `${year.padStart(4, '0')}-${month}-${day}`
  if (!isIsoDate(result)) throw new RangeError(`Cannot express ${instant.toISOString()} as a calendar day`)
  return result
}

// ---------------------------------------------------------------------------------------------------
// Holidays.

/**
 * Easter Sunday of a Gregorian year (anonymous Gregorian algorithm, a.k.a. Meeus/Jones/Butcher).
 * Needed because Easter Monday (Lunedì dell'Angelo) is an Italian national holiday and moves every year.
 */
export function easterSunday(year: number): IsoDate {
  if (!Number.isInteger(year) || year < 1583 || year > 9999) {
    throw new RangeError(`easterSunday: year must be an integer in 1583..9999, got ${year}`)
  }
  const a = year % 19
  const b = Math.floor(year / 100)
  const c = year % 100
  const d = Math.floor(b / 4)
  const e = b % 4
  const f = Math.floor((b + 8) / 25)
  const g = Math.floor((b - f + 1) / 3)
  const h = (19 * a + b - d - g + 15) % 30
  const i = Math.floor(c / 4)
  const k = c % 4
  const l = (32 + 2 * e + 2 * i - h - k) % 7
  const m = Math.floor((a + 11 * h + 22 * l) / 451)
  const month = Math.floor((h + l - 7 * m + 114) / 31)
  const day = ((h + l - 7 * m + 114) % 31) + 1
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`
}

/**
 * First year in which 4 October (San Francesco d'Assisi e Santa Caterina da Siena, patron saints of Italy)
 * is again a national holiday with offices closed: it was abolished as a day off in 1977 and restored by a
 * 2025 law with effect from 2026 (Legge 151/2025 — to verify the number against the Gazzetta Ufficiale).
 */
const SAN_FRANCESCO_HOLIDAY_FROM_YEAR = 2026

const FIXED_NATIONAL_HOLIDAYS: ReadonlyArray<{ month: number; day: number; name: string; nameEn: string; fromYear?: number }> = [
  { month: 1, day: 1, name: 'Capodanno', nameEn: "New Year's Day" },
  { month: 1, day: 6, name: 'Epifania', nameEn: 'Epiphany' },
  { month: 4, day: 25, name: 'Festa della Liberazione', nameEn: 'Liberation Day' },
  { month: 5, day: 1, name: 'Festa del Lavoro', nameEn: 'Labour Day' },
  { month: 6, day: 2, name: 'Festa della Repubblica', nameEn: 'Republic Day' },
  { month: 8, day: 15, name: 'Ferragosto', nameEn: 'Assumption Day (Ferragosto)' },
  {
    month: 10,
    day: 4,
    name: "San Francesco d'Assisi",
    nameEn: 'Saint Francis of Assisi',
    fromYear: SAN_FRANCESCO_HOLIDAY_FROM_YEAR
  },
  { month: 11, day: 1, name: 'Ognissanti', nameEn: "All Saints' Day" },
  { month: 12, day: 8, name: 'Immacolata Concezione', nameEn: 'Immaculate Conception' },
  { month: 12, day: 25, name: 'Natale', nameEn: 'Christmas Day' },
  { month: 12, day: 26, name: 'Santo Stefano', nameEn: "St Stephen's Day" }
]

export interface ItalianHolidaysOptions {
  /** Add the municipality's patron saint (a local day off). */
  patronSaint?: PatronSaint | null
  /**
   * List Easter Sunday ('Pasqua') too. Default true: it is a Sunday, so it never changes a count, but an
   * operator looking at a calendar expects to see it named.
   */
  includeEasterSunday?: boolean
}

/**
 * Italian public holidays of a year (L. 260/1949 and later amendments), sorted by date. A patron saint that
 * falls on a national holiday (Bologna's San Petronio on 4 October from 2026) appears as a second entry on
 * the same date, so both names stay visible.
 */
export function italianHolidays(year: number, options: ItalianHolidaysOptions = {}): Holiday[] {
  const easter = easterSunday(year)
  const list: Holiday[] = []
  for (const h of FIXED_NATIONAL_HOLIDAYS) {
    if (h.fromYear !== undefined && year < h.fromYear) continue
    list.push({ date: `${pad(year, 4)}-${pad(h.month, 2)}-${pad(h.day, 2)}`, name: h.name, nameEn: h.nameEn, kind: 'national' })
  }
  if (options.includeEasterSunday ?? true) {
    list.push({ date: easter, name: 'Pasqua', nameEn: 'Easter Sunday', kind: 'national' })
  }
  list.push({ date: addCalendarDays(easter, 1), name: "Lunedì dell'Angelo", nameEn: 'Easter Monday', kind: 'national' })
  const patron = options.patronSaint
  if (patron) {
    validatePatronSaint(patron)
    // 29 February patrons exist only in leap years.
    if (patron.day <= daysInMonth(year, patron.month)) {
      list.push({
        date: `${pad(year, 4)}-${pad(patron.month, 2)}-${pad(patron.day, 2)}`,
        name: patron.name,
        nameEn: `${patron.name} (patron saint)`,
        kind: 'patron'
      })
    }
  }
  const kindOrder = { national: 0, patron: 1, closure: 2 } as const
  return list.sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : kindOrder[x.kind] - kindOrder[y.kind]))
}

function validatePatronSaint(p: PatronSaint): void {
  if (!Number.isInteger(p.month) || p.month < 1 || p.month > 12) throw new RangeError(`patronSaint.month must be 1..12, got ${p.month}`)
  if (!Number.isInteger(p.day) || p.day < 1 || p.day > daysInMonth(2024, p.month)) {
    throw new RangeError(`patronSaint.day ${p.day} does not exist in month ${p.month}`)
  }
  if (typeof p.name !== 'string' || p.name.trim() === '') throw new RangeError('patronSaint.name is required')
}

// ---------------------------------------------------------------------------------------------------
// The calendar.

export interface WorkingCalendarOptions {
  /** ISO weekdays (1 = Monday … 7 = Sunday) on which the operator works. Default Monday–Friday. */
  workingWeekdays?: readonly number[]
  /** Local patron saint, e.g. { month: 10, day: 4, name: 'San Petronio' } for Bologna. */
  patronSaint?: PatronSaint | null
  /** Further days off (company closures, a municipal holiday decreed for the year, …). */
  extraClosures?: readonly ExtraClosure[]
}

export interface WorkingCalendar {
  /** The working weekdays in effect, ascending. */
  readonly workingWeekdays: readonly IsoWeekday[]
  /** True when `date` is a working weekday and neither a holiday nor a closure. */
  isWorkingDay(date: IsoDate): boolean
  /** Every name attached to `date` (national holiday, patron saint, closure); empty when none. */
  holidayNames(date: IsoDate): string[]
  /**
   * The name of the holiday or closure on `date`, or null. When two coincide (San Petronio on 4 October
   * from 2026) the names are joined with ' / '. Plain weekends have no name.
   */
  holidayName(date: IsoDate): string | null
  /** Holidays and closures of a year as this calendar sees them (national + patron + extra closures). */
  holidays(year: number): Holiday[]
  /**
   * The ARERA deadline: the `n`-th working day after `start`.
   *
   * Why day 0 is the receipt day: TQRIF measures the time "between the date the operator receives the request
   * and the date it sends the reply", so the receipt day itself is not one of the n working days — a complaint
   * received on Monday with a 1-working-day standard is due on Tuesday. When the receipt day is not a working
   * day (a Saturday email), nothing changes: day 1 is simply the first working day after it. `n = 0` returns
   * `start` unchanged.
   */
  addWorkingDays(start: IsoDate, n: number): IsoDate
  /**
   * The number of working days d with from < d <= to; 0 when to <= from. This is the inverse of
   * `addWorkingDays` — addWorkingDays(x, n) = y implies workingDaysBetween(x, y) = n — so it measures the
   * elapsed regulatory time between a receipt date and a reply date.
   */
  workingDaysBetween(from: IsoDate, to: IsoDate): number
}

interface YearInfo {
  /** Names per day number (only days that carry at least one name). */
  names: Map<number, Holiday[]>
  /** Sorted day numbers of the year that fall on a working weekday but are days off. */
  blocked: number[]
}

/** Count of values in a sorted array that are <= x. */
function countAtMost(sorted: readonly number[], x: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((sorted[mid] as number) <= x) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * Build a working calendar. Holidays are computed once per year and cached; counting is O(1) for weekdays
 * plus a binary search per boundary year and O(1) per year in between, so spans of many years stay cheap.
 */
export function createWorkingCalendar(options: WorkingCalendarOptions = {}): WorkingCalendar {
  const weekdaySource = options.workingWeekdays ?? DEFAULT_WORKING_WEEKDAYS
  const weekdays = new Set<IsoWeekday>()
  for (const w of weekdaySource) {
    if (!Number.isInteger(w) || w < 1 || w > 7) throw new RangeError(`workingWeekdays: ${w} is not an ISO weekday (1..7)`)
    weekdays.add(w as IsoWeekday)
  }
  if (weekdays.size === 0) throw new RangeError('workingWeekdays must contain at least one day')
  const workingWeekdays = Object.freeze([...weekdays].sort((a, b) => a - b))
  const isWorkingWeekday: boolean[] = [false, false, false, false, false, false, false, false]
  for (const w of weekdays) isWorkingWeekday[w] = true

  const patronSaint = options.patronSaint ?? null
  if (patronSaint) validatePatronSaint(patronSaint)

  const closuresByYear = new Map<number, Holiday[]>()
  for (const c of options.extraClosures ?? []) {
    const closure: Holiday =
      typeof c === 'string'
        ? { date: c, name: 'Chiusura straordinaria', nameEn: 'Extraordinary closure', kind: 'closure' }
        : { date: c.date, name: c.name, nameEn: c.nameEn ?? c.name, kind: 'closure' }
    const year = parseYmd(closure.date).year
    const list = closuresByYear.get(year) ?? []
    list.push(closure)
    closuresByYear.set(year, list)
  }

  const cache = new Map<number, YearInfo>()
  function yearInfo(year: number): YearInfo {
    let info = cache.get(year)
    if (info) return info
    const all = [...italianHolidays(year, { patronSaint }), ...(closuresByYear.get(year) ?? [])]
    const names = new Map<number, Holiday[]>()
    for (const h of all) {
      const dn = dayNumberOf(h.date)
      const list = names.get(dn) ?? []
      // The same name twice on one day (a closure repeating a holiday) adds nothing.
      if (!list.some((x) => x.name === h.name)) list.push(h)
      names.set(dn, list)
    }
    const blocked = [...names.keys()].filter((dn) => isWorkingWeekday[weekdayOfDayNumber(dn)] === true).sort((a, b) => a - b)
    info = { names, blocked }
    cache.set(year, info)
    return info
  }

  function isWorkingDayNumber(dn: number): boolean {
    if (!isWorkingWeekday[weekdayOfDayNumber(dn)]) return false
    return !yearInfo(yearOfDayNumber(dn)).names.has(dn)
  }

  /** Working weekdays in (a, b], ignoring holidays. */
  function weekdaysBetween(a: number, b: number): number {
    const total = b - a
    const fullWeeks = Math.floor(total / 7)
    let count = fullWeeks * weekdays.size
    for (let dn = a + 1 + fullWeeks * 7; dn <= b; dn++) if (isWorkingWeekday[weekdayOfDayNumber(dn)]) count++
    return count
  }

  /** Holidays on working weekdays in (a, b]. */
  function blockedBetween(a: number, b: number): number {
    const firstYear = yearOfDayNumber(a + 1)
    const lastYear = yearOfDayNumber(b)
    let count = 0
    for (let y = firstYear; y <= lastYear; y++) {
      const { blocked } = yearInfo(y)
      if (y !== firstYear && y !== lastYear) {
        count += blocked.length
        continue
      }
      const upper = y === lastYear ? countAtMost(blocked, b) : blocked.length
      const lower = y === firstYear ? countAtMost(blocked, a) : 0
      count += upper - lower
    }
    return count
  }

  function countBetween(a: number, b: number): number {
    if (b <= a) return 0
    return weekdaysBetween(a, b) - blockedBetween(a, b)
  }

  function namesOf(date: IsoDate): Holiday[] {
    const { year } = parseYmd(date)
    return yearInfo(year).names.get(dayNumberOf(date)) ?? []
  }

  return {
    workingWeekdays,
    isWorkingDay(date) {
      return isWorkingDayNumber(dayNumberOf(date))
    },
    holidayNames(date) {
      return namesOf(date).map((h) => h.name)
    },
    holidayName(date) {
      const names = namesOf(date).map((h) => h.name)
      return names.length === 0 ? null : names.join(' / ')
    },
    holidays(year) {
      const info = yearInfo(year)
      return [...info.names.entries()].sort((x, y) => x[0] - y[0]).flatMap(([, list]) => list)
    },
    addWorkingDays(start, n) {
      if (!Number.isInteger(n) || n < 0) throw new RangeError(`addWorkingDays: n must be a non-negative integer, got ${n}`)
      const s = dayNumberOf(start)
      if (n === 0) return start
      // Find an upper bound, then binary-search the first day at which the count reaches n: that day is the
      // n-th working day (the count only grows on working days).
      const perWeek = weekdays.size
      let hi = s + Math.ceil(n / perWeek) * 7 + 7
      let reached = countBetween(s, hi)
      while (reached < n) {
        hi += Math.ceil((n - reached) / perWeek) * 7 + 7
        reached = countBetween(s, hi)
      }
      let lo = s // countBetween(s, lo) < n
      while (hi - lo > 1) {
        const mid = lo + Math.floor((hi - lo) / 2)
        if (countBetween(s, mid) >= n) hi = mid
        else lo = mid
      }
      return fromDayNumber(hi)
    },
    workingDaysBetween(from, to) {
      return countBetween(dayNumberOf(from), dayNumberOf(to))
    }
  }
}
