// Dates as an Italian (or English) reader expects them, always in Europe/Rome time (the regulator's clock).
// Intl formatters are costly to build: one per locale and shape, reused for every mail and page.
import type { Locale } from '../i18n.js'

const localeTag = (locale: Locale) => (locale === 'it' ? 'it-IT' : 'en-GB')

const formats = new Map<Locale, Intl.DateTimeFormat>()

function formatter(locale: Locale): Intl.DateTimeFormat {
  let f = formats.get(locale)
  if (!f) {
    f = new Intl.DateTimeFormat(localeTag(locale), {
      timeZone: 'Europe/Rome',
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23'
    })
    formats.set(locale, f)
  }
  return f
}

/** "martedì 10 marzo 2026, 09:15" (a document, a forwarded mail): built from parts so the wording does not change with the ICU version. */
export function formatDateTime(date: Date, locale: Locale = 'it'): string {
  const parts: Record<string, string> = {}
  for (const p of formatter(locale).formatToParts(date)) parts[p.type] = p.value
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}, ${parts.hour}:${parts.minute}`
}

const dateFormats = new Map<string, Intl.DateTimeFormat>()

/**
 * "10 marzo 2026", with the time if asked (mail, templates, the citizen's pages). A calendar date
 * `YYYY-MM-DD` is read at noon UTC, so it is the same day in Rome.
 */
export function formatDate(date: Date | string, locale: Locale, withTime: boolean): string {
  const d = typeof date === 'string' ? new Date(date.length === 10 ? `${date}T12:00:00Z` : date) : date
  const key = `${locale}:${withTime}`
  let formatter = dateFormats.get(key)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(localeTag(locale), {
      timeZone: 'Europe/Rome',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      ...(withTime ? { hour: '2-digit', minute: '2-digit' } : {})
    })
    dateFormats.set(key, formatter)
  }
  return formatter.format(d)
}

/** "10/03/2026, 09:15:04": to the second, for an administrator's alert about when something happened. */
export function formatTimestamp(iso: string, locale: Locale): string {
  return new Intl.DateTimeFormat(localeTag(locale), {
    timeZone: 'Europe/Rome',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit'
  }).format(new Date(iso))
}
