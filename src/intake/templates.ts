// Texts the intake writes: the submission as the first message of the conversation (for operators), and the
// status update a citizen receives when an operator publishes a note. Pure functions.
import { requestTypeLabel, serviceLabel, type RequestType } from '../domain/arera.js'
import type { Locale } from '../i18n.js'
import { htmlToText, sanitizeEditorHtml } from '../mail/sanitize.js'
import { channelLabel } from '../mail/templates.js'
import { replySubject } from '../mail/threading-token.js'
import { fieldLabel } from './texts.js'
import type { ValidSubmission } from './validate.js'
import { escapeHtml } from '../domain/escape.js'

/** The submission as operators read it: a table of what the citizen filled in, then the description. */
export function submissionMessage(
  s: ValidSubmission,
  channel: 'web' | 'app',
  locale: Locale,
  extra: { chosenType: RequestType; clientName: string | null }
): { html: string; text: string } {
  const it = locale === 'it'
  const yes = it ? 'sì' : 'yes'
  const rows: Array<[string, string | null]> = [
    [it ? 'Canale' : 'Channel', channelLabel(channel, locale) + (extra.clientName ? ` (${extra.clientName})` : '')],
    [fieldLabel(locale, 'type'), requestTypeLabel(extra.chosenType, locale)],
    [fieldLabel(locale, 'service'), s.service ? serviceLabel(s.service, locale) : null],
    [fieldLabel(locale, 'address'), s.address],
    [it ? 'Punto sulla mappa' : 'Map point', s.latitude !== null && s.longitude !== null ? `${s.latitude}, ${s.longitude}` : null],
    [it ? 'Nome e cognome' : 'Name', [s.person.firstName, s.person.lastName].filter(Boolean).join(' ') || null],
    [fieldLabel(locale, 'fiscalCode'), s.person.fiscalCode],
    [fieldLabel(locale, 'email'), s.person.email],
    [fieldLabel(locale, 'phone'), s.person.phone],
    [fieldLabel(locale, 'postalAddress'), s.person.postalAddress],
    [fieldLabel(locale, 'userCode'), s.complaint.userCode],
    [fieldLabel(locale, 'supplyAddress'), s.complaint.supplyAddress],
    [fieldLabel(locale, 'supplyCode'), s.complaint.supplyCode],
    [fieldLabel(locale, 'iban'), s.complaint.iban],
    [it ? 'Utenza non domestica' : 'Non-domestic user', s.complaint.nonDomestic ? yes : null],
    [fieldLabel(locale, 'companyName'), s.complaint.companyName],
    [fieldLabel(locale, 'companyVat'), s.complaint.companyVat],
    [fieldLabel(locale, 'filerRole'), s.complaint.filerRole],
    // accepted from the app without data the ARERA form asks for: the operator asks the citizen
    [
      it ? 'Dati da completare' : 'Missing details',
      s.missing.map((f) => (f === 'email' ? (it ? 'email o indirizzo postale' : 'email or postal address') : fieldLabel(locale, f))).join(', ') || null
    ]
  ]
  const table = rows
    .filter((r): r is [string, string] => r[1] !== null && r[1] !== '')
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('')
  const point =
    s.latitude !== null && s.longitude !== null
      ? `<p><a href="https://www.openstreetmap.org/?mlat=${s.latitude}&amp;mlon=${s.longitude}#map=18/${s.latitude}/${s.longitude}">${it ? 'Apri il punto su OpenStreetMap' : 'Open the point on OpenStreetMap'}</a></p>`
      : ''
  // Links the app sent are recorded, never fetched: the operator decides whether to open them.
  const links = s.mediaUrls.length
    ? `<p>${escapeHtml(fieldLabel(locale, 'mediaUrl'))}:</p><ul>${s.mediaUrls.map((u) => `<li><a href="${escapeHtml(u)}">${escapeHtml(u)}</a></li>`).join('')}</ul>`
    : ''
  const html = sanitizeEditorHtml(
    `<table><tbody>${table}</tbody></table>${point}${links}<h3>${escapeHtml(fieldLabel(locale, 'description'))}</h3>${s.body.html || '<p>—</p>'}`,
    { imageSrc: () => null }
  )
  return { html, text: htmlToText(html) }
}

export interface StatusUpdateData {
  locale: Locale
  organizationName: string
  reference: string
  workOrderId: number
  noteHtml: string
  statusLabel: string
}

/** The mail a citizen gets when an operator publishes a note with "notify". */
export function statusUpdateMail(d: StatusUpdateData): { subject: string; html: string; text: string } {
  const it = d.locale === 'it'
  const html = [
    `<p>${it ? 'Gentile utente,' : 'Dear customer,'}</p>`,
    `<p>${it ? `c'è un aggiornamento sulla sua richiesta n. <strong>${escapeHtml(d.reference)}</strong>:` : `there is an update on your request <strong>${escapeHtml(d.reference)}</strong>:`}</p>`,
    `<blockquote>${d.noteHtml}</blockquote>`,
    `<p>${it ? 'Stato attuale della richiesta' : 'Current status'}: <strong>${escapeHtml(d.statusLabel)}</strong></p>`,
    `<p>${it ? 'Per aggiungere informazioni risponda a questa email: la sua risposta sarà unita alla stessa pratica.' : 'To add information, reply to this email: your reply will join the same case.'}</p>`,
    `<p>${escapeHtml(d.organizationName)}</p>`
  ].join('\n')
  const subject = replySubject(`${it ? 'Aggiornamento sulla sua richiesta' : 'Update on your request'} ${d.reference}`, d.workOrderId)
  return { subject, html, text: htmlToText(html) }
}
