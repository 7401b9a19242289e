// Dates (Europe/Rome, the regulator's clock), sizes and addresses as operators read them.
import type { Lang } from './i18n.js'

const TIME_ZONE = 'Europe/Rome'
const locales: Record<Lang, string> = { it: 'it-IT', en: 'en-GB' }

const dateTimeCache = new Map<string, Intl.DateTimeFormat>()
function formatter(lang: Lang, kind: 'dateTime' | 'date' | 'long'): Intl.DateTimeFormat {
  const key = `${lang}:${kind}`
  let f = dateTimeCache.get(key)
  if (!f) {
    const options: Intl.DateTimeFormatOptions =
      kind === 'dateTime'
        ? { timeZone: TIME_ZONE, weekday: 'short', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' }
        : kind === 'long'
          ? { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }
          : { timeZone: TIME_ZONE, day: 'numeric', month: 'long', year: 'numeric' }
    f = new Intl.DateTimeFormat(locales[lang], options)
    dateTimeCache.set(key, f)
  }
  return f
}

/** "lun 2 marzo 2026, 10:15" */
export function formatDateTime(value: string | null | undefined, lang: Lang): string {
  if (!value) return ''
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? value : formatter(lang, 'dateTime').format(date)
}

/** A timestamp as a date only ("2 marzo 2026"), in Rome. */
export function formatDate(value: string | null | undefined, lang: Lang): string {
  if (!value) return ''
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return formatIsoDate(value, lang)
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? value : formatter(lang, 'date').format(date)
}

/** A calendar date `YYYY-MM-DD` ("venerdì 17 aprile 2026"): no time zone shift. */
function formatIsoDate(value: string, lang: Lang): string {
  const date = new Date(`${value}T00:00:00Z`)
  return Number.isNaN(date.getTime()) ? value : formatter(lang, 'long').format(date)
}

/** Today's date in Rome as `YYYY-MM-DD`. */
function romeToday(now = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now)
  return parts.slice(0, 10)
}

/** Calendar days from today (Rome) to a due date; negative when late. */
export function calendarDaysUntil(due: string, now = new Date()): number {
  const today = Date.parse(`${romeToday(now)}T00:00:00Z`)
  const end = Date.parse(`${due.slice(0, 10)}T00:00:00Z`)
  return Math.round((end - today) / 86_400_000)
}

export function formatSize(bytes: number, lang: Lang): string {
  const n = new Intl.NumberFormat(locales[lang], { maximumFractionDigits: 1 })
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${n.format(bytes / 1024)} KB`
  return `${n.format(bytes / (1024 * 1024))} MB`
}

/** Splits "a@x.it, b@y.it; c@z.it" into addresses; `invalid` lists what does not look like an address. */
export function parseAddresses(value: string): { valid: string[]; invalid: string[] } {
  const valid: string[] = []
  const invalid: string[] = []
  for (const raw of value.split(/[,;\n]+/)) {
    const part = raw.trim()
    if (!part) continue
    const angle = /<([^<>\s]+)>\s*$/.exec(part)
    const address = (angle?.[1] ?? part).trim()
    if (/^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/.test(address)) valid.push(address)
    else invalid.push(part)
  }
  return { valid, invalid }
}
