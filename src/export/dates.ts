// Dates as an Italian (or English) reader expects them in a document or a forwarded mail, in Europe/Rome time:
// "martedì 10 marzo 2026, 09:15". Built from parts so the wording does not change with the ICU version.
import type { Locale } from '../i18n.js'

const formats = new Map<Locale, Intl.DateTimeFormat>()

function formatter(locale: Locale): Intl.DateTimeFormat {
  let f = formats.get(locale)
  if (!f) {
    f = new Intl.DateTimeFormat(locale === 'it' ? 'it-IT' : 'en-GB', {
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

export function formatDateTime(date: Date, locale: Locale = 'it'): string {
  const parts: Record<string, string> = {}
  for (const p of formatter(locale).formatToParts(date)) parts[p.type] = p.value
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}, ${parts.hour}:${parts.minute}`
}
