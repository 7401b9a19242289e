// The ARERA TQRIF reasoned reply ("risposta motivata"): a letter pre-filled with the elements the regulator requires
// (DESIGN.md §6) — reference to the request; whether it is founded, with references; corrective actions and their
// timing; the list of attached documents; who can clarify further. The parts in [square brackets] are for the operator.
import type { Lang } from './i18n.js'
import { formatDate } from './format.js'
import { escapeHtml } from '../../src/domain/escape.js'

export interface TemplateInput {
  lang: Lang
  contributorName: string | null
  reference: string | null
  workOrderId: number
  subject: string | null
  receivedAt: string | null
  channel: string | null
  typeLabel: string | null
  operatorName: string
  operatorEmail: string | null
  attachmentNames: string[]
}

/** Placeholders still to be completed: `[…]` runs in the text. */
export function placeholdersIn(text: string): string[] {
  return Array.from(new Set(text.match(/\[[^\]\n]{2,120}\]/g) ?? []))
}

export function reasonedReplyTemplate(input: TemplateInput): string {
  const ref = input.reference ?? String(input.workOrderId)
  const attachments = input.attachmentNames.length ? input.attachmentNames.map((n) => `<li>${escapeHtml(n)}</li>`).join('') : null
  if (input.lang === 'en') {
    return [
      `<p>Dear ${escapeHtml(input.contributorName ?? '[name]')},</p>`,
      `<p><strong>Subject: reasoned reply to your request ref. ${escapeHtml(ref)}</strong>${input.typeLabel ? ` (${escapeHtml(input.typeLabel)})` : ''}</p>`,
      `<p>With reference to your request received on ${escapeHtml(input.receivedAt ? formatDate(input.receivedAt, 'en') : '[date]')}${input.channel ? ` through ${escapeHtml(input.channel)}` : ''}${input.subject ? `, subject “${escapeHtml(input.subject)}”` : ''}, we reply as follows.</p>`,
      '<h3>Outcome of our assessment</h3>',
      '<p>Having examined your request, we consider it [founded / partly founded / unfounded] because [reasons]. References: [TARI regulation, service quality charter, invoice no. …, inspection of …].</p>',
      '<h3>Corrective actions and timing</h3>',
      '<p>[Actions taken or planned, e.g. correction of the invoice, refund, collection service restored] by [date / number of days].</p>',
      '<h3>Attached documents</h3>',
      attachments ? `<ul>${attachments}</ul>` : '<ul><li>[document]</li></ul>',
      '<h3>Further information</h3>',
      `<p>For any clarification you may contact ${escapeHtml(input.operatorName)}${input.operatorEmail ? ` (${escapeHtml(input.operatorEmail)})` : ''}, quoting reference ${escapeHtml(ref)}.</p>`,
      `<p>Kind regards,<br>${escapeHtml(input.operatorName)}</p>`
    ].join('')
  }
  return [
    `<p>Gentile ${escapeHtml(input.contributorName ?? '[nome e cognome]')},</p>`,
    `<p><strong>Oggetto: risposta motivata alla Sua richiesta rif. ${escapeHtml(ref)}</strong>${input.typeLabel ? ` (${escapeHtml(input.typeLabel)})` : ''}</p>`,
    `<p>con riferimento alla Sua richiesta pervenuta il ${escapeHtml(input.receivedAt ? formatDate(input.receivedAt, 'it') : '[data]')}${input.channel ? ` tramite ${escapeHtml(input.channel)}` : ''}${input.subject ? `, avente oggetto «${escapeHtml(input.subject)}»` : ''}, Le comunichiamo quanto segue.</p>`,
    '<h3>Esito della verifica</h3>',
    '<p>Dall’esame della Sua richiesta, la stessa risulta [fondata / parzialmente fondata / non fondata] per i seguenti motivi: [motivazione]. Riferimenti: [regolamento TARI, carta della qualità, avviso di pagamento n. …, sopralluogo del …].</p>',
    '<h3>Azioni correttive e tempi</h3>',
    '<p>[Azioni intraprese o previste, ad es. rettifica dell’avviso, rimborso, ripristino del servizio di raccolta] entro il [data / numero di giorni].</p>',
    '<h3>Documenti allegati</h3>',
    attachments ? `<ul>${attachments}</ul>` : '<ul><li>[documento]</li></ul>',
    '<h3>Per ulteriori chiarimenti</h3>',
    `<p>Per ogni chiarimento può rivolgersi a ${escapeHtml(input.operatorName)}${input.operatorEmail ? ` (${escapeHtml(input.operatorEmail)})` : ''}, citando il riferimento ${escapeHtml(ref)}.</p>`,
    `<p>Cordiali saluti,<br>${escapeHtml(input.operatorName)}</p>`
  ].join('')
}
