// The email that tells an operator what happened on the work orders they follow: one mail listing each work order
// once, in the operator's language. Pure: no I/O.
import { escapeHtml } from '../domain/escape.js'
import type { NotificationKind } from '../repositories/notifications.js'

export interface DigestEntry {
  reference: string | null
  workOrderId: number
  subject: string | null
  kinds: NotificationKind[]
  details: string[]
}

const LABELS: Record<'it' | 'en', Record<NotificationKind, string>> = {
  it: { citizen_reply: 'Il cittadino ha risposto', delivery_failed: 'Recapito non riuscito', due_tomorrow: 'Scade domani' },
  en: { citizen_reply: 'The citizen replied', delivery_failed: 'Delivery failed', due_tomorrow: 'Due tomorrow' }
}

export function notificationLabel(kind: NotificationKind, locale: 'it' | 'en'): string {
  return LABELS[locale][kind]
}

export function digestMail(entries: readonly DigestEntry[], locale: 'it' | 'en'): { subject: string; text: string; html: string } {
  const refs = entries.map((e) => e.reference ?? `#${e.workOrderId}`)
  const shown = refs.slice(0, 3).join(', ') + (refs.length > 3 ? ', …' : '')
  const subject =
    locale === 'it'
      ? `Ticket Reclami: ${entries.length === 1 ? '1 ordine di lavoro da guardare' : `${entries.length} ordini di lavoro da guardare`} (${shown})`
      : `Ticket Reclami: ${entries.length === 1 ? '1 work order to look at' : `${entries.length} work orders to look at`} (${shown})`
  const lines = entries.map((e) => {
    const what = [...new Set(e.kinds)].map((k) => LABELS[locale][k]).join('; ')
    const details = e.details.filter((d) => d !== '').join(' · ')
    return { head: `${e.reference ?? `#${e.workOrderId}`} – ${e.subject ?? ''}`.trim(), what, details }
  })
  const intro = locale === 'it' ? 'Novità sugli ordini di lavoro che segui:' : 'News on the work orders you follow:'
  const footer =
    locale === 'it'
      ? 'Messaggio automatico del modulo Ticket Reclami – Comunicazioni. Puoi disattivare queste email nelle impostazioni delle notifiche.'
      : 'Automatic message from the Ticket Reclami – Comunicazioni module. You can turn these emails off in the notification settings.'
  const text = [intro, '', ...lines.map((l) => `- ${l.head}: ${l.what}${l.details ? ` (${l.details})` : ''}`), '', footer].join('\n')
  const html =
    `<p>${escapeHtml(intro)}</p><ul>` +
    lines.map((l) => `<li><strong>${escapeHtml(l.head)}</strong>: ${escapeHtml(l.what)}${l.details ? ` (${escapeHtml(l.details)})` : ''}</li>`).join('') +
    `</ul><p>${escapeHtml(footer)}</p>`
  return { subject, text, html }
}
