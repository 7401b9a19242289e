// Texts the module writes to citizens. Pure functions: data in, subject/html/text out, Italian or English.
import type { Locale } from '../i18n.js'
import { htmlToText } from './sanitize.js'
import { subjectReference } from './threading-token.js'
import { formatDate } from '../domain/dates.js'
import { escapeHtml } from '../domain/escape.js'

export interface ConfirmationData {
  locale: Locale
  organizationName: string
  reference: string
  workOrderId: number
  originalSubject: string | null
  receivedAt: Date
  typeLabel: string | null
  dueDate: string | null
  workingDays: number | null
  /** A short excerpt of what the citizen wrote. */
  summary: string
  channelLabel: string
}

export function confirmationMail(d: ConfirmationData): { subject: string; html: string; text: string } {
  const it = d.locale === 'it'
  const received = formatDate(d.receivedAt, d.locale, true)
  const rows: Array<[string, string]> = [
    [it ? 'Numero di riferimento' : 'Reference number', d.reference],
    [it ? 'Ricevuta il' : 'Received on', received],
    [it ? 'Canale' : 'Channel', d.channelLabel],
    ...(d.typeLabel ? [[it ? 'Tipo di richiesta' : 'Request type', d.typeLabel] as [string, string]] : []),
    ...(d.originalSubject ? [[it ? 'Oggetto' : 'Subject', d.originalSubject] as [string, string]] : [])
  ]
  const deadline =
    d.dueDate && d.workingDays
      ? it
        ? `Ai sensi della regolazione ARERA sulla qualità del servizio rifiuti (TQRIF) riceverà una risposta motivata entro ${d.workingDays} giorni lavorativi, cioè entro il ${formatDate(d.dueDate, d.locale, false)}.`
        : `Under ARERA's waste-service quality rules (TQRIF) you will receive a reasoned reply within ${d.workingDays} working days, that is by ${formatDate(d.dueDate, d.locale, false)}.`
      : it
        ? 'Un operatore esaminerà la sua richiesta e la contatterà se servono altre informazioni.'
        : 'An operator will look at your request and contact you if more information is needed.'
  const html = [
    `<p>${it ? 'Gentile utente,' : 'Dear customer,'}</p>`,
    `<p>${it ? `abbiamo ricevuto la sua comunicazione e l'abbiamo registrata con il numero <strong>${escapeHtml(d.reference)}</strong>.` : `we have received your message and registered it as <strong>${escapeHtml(d.reference)}</strong>.`}</p>`,
    `<table>${rows.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`,
    d.summary ? `<blockquote>${escapeHtml(d.summary)}</blockquote>` : '',
    `<p>${escapeHtml(deadline)}</p>`,
    `<p>${it ? "Per aggiungere informazioni o documenti risponda a questa email mantenendo il riferimento nell'oggetto: la sua risposta sarà unita alla stessa pratica." : 'To add information or documents, reply to this email keeping the reference in the subject: your reply will join the same case.'}</p>`,
    `<p>${escapeHtml(d.organizationName)}</p>`,
    `<p><small>${it ? 'Messaggio generato automaticamente.' : 'This message was generated automatically.'}</small></p>`
  ].join('\n')
  // Not a "Re:": the confirmation is our own message; the reference keeps the citizen's answer in the same work order.
  const original = (d.originalSubject ?? (it ? 'la sua comunicazione' : 'your message')).replace(/\[\s*odl\s*#?\s*\d+\s*\]/gi, '').trim()
  const subject = `${it ? 'Presa in carico' : 'Received'}: ${original} ${subjectReference(d.workOrderId)}`
  return { subject, html, text: htmlToText(html) }
}

export function channelLabel(channel: string, locale: Locale, pec = false): string {
  const it = locale === 'it'
  if (pec) return 'PEC'
  switch (channel) {
    case 'web':
      return it ? 'Sportello On-line' : 'Online counter'
    case 'app':
      return 'App SottoControllo'
    case 'note':
      return it ? 'Nota interna' : 'Internal note'
    default:
      return 'Email'
  }
}
