// Step 2 of the ingest pipeline: recognise mail written by machines (RFC 3834 and common practice), which must
// never open a work order nor receive an automatic answer. Pure: headers in, a verdict out.
import type { Headers } from 'mailparser'
import { headerText, type MailAddress } from './parse.js'

export type AutomaticKind = 'bounce' | 'pec-receipt' | 'auto-reply' | 'list' | 'bulk' | 'system-sender' | 'own'

export interface AutomaticVerdict {
  kind: AutomaticKind
  /** Which header or property gave it away, for the audit log and the operator. */
  reason: string
}

export interface AutomaticInput {
  headers: Headers
  from: MailAddress | null
  contentType: { value: string; params: Record<string, string> }
  subject: string | null
}

const SYSTEM_LOCAL_PARTS = /^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?)([+-].*)?$/i
// Subject prefixes only machines write. Deliberately short: a citizen's "bolletta non recapitata" must stay a report.
const AUTO_SUBJECT =
  /^(auto(matic)?[ _-]?reply|risposta automatica:|out of (the )?office|abwesenheitsnotiz|réponse automatique|delivery status notification|undeliverable:|mail delivery failed|returned mail:)/i

/** The first reason this mail is automatic, or null for a person's mail. Order matters: most specific first. */
export function detectAutomatic(mail: AutomaticInput, ownHeaderName = 'x-trc-origin'): AutomaticVerdict | null {
  const h = (name: string) => headerText(mail.headers, name).trim()
  const ct = mail.contentType

  if (h(ownHeaderName)) return { kind: 'own', reason: `${ownHeaderName} header: our own outbound mail came back` }
  if (ct.value === 'multipart/report' && /delivery-status/i.test(ct.params['report-type'] ?? '')) {
    return { kind: 'bounce', reason: 'multipart/report; report-type=delivery-status' }
  }
  if (h('x-ricevuta')) return { kind: 'pec-receipt', reason: `X-Ricevuta: ${h('x-ricevuta')}` }
  if (/^errore$/i.test(h('x-trasporto'))) return { kind: 'pec-receipt', reason: 'X-Trasporto: errore' }

  const autoSubmitted = h('auto-submitted').toLowerCase()
  if (autoSubmitted && !autoSubmitted.startsWith('no')) return { kind: 'auto-reply', reason: `Auto-Submitted: ${autoSubmitted}` }
  if (h('x-autoreply') || h('x-autorespond')) return { kind: 'auto-reply', reason: 'X-Autoreply/X-Autorespond' }
  const suppress = h('x-auto-response-suppress').toLowerCase()
  if (suppress && /(all|oof|autoreply|dr|rn|nrn)/.test(suppress)) return { kind: 'auto-reply', reason: `X-Auto-Response-Suppress: ${suppress}` }
  const precedence = h('precedence').toLowerCase()
  if (precedence === 'auto_reply') return { kind: 'auto-reply', reason: 'Precedence: auto_reply' }
  if (precedence === 'list') return { kind: 'list', reason: 'Precedence: list' }
  if (precedence === 'bulk' || precedence === 'junk') return { kind: 'bulk', reason: `Precedence: ${precedence}` }
  if (mail.headers.has('list-id') || mail.headers.has('list-unsubscribe') || mail.headers.has('list')) {
    return { kind: 'list', reason: 'List-Id/List-Unsubscribe' }
  }
  if (mail.headers.has('return-path')) {
    const rp = mail.headers.get('return-path') as { value?: Array<{ address?: string }> } | string | undefined
    const address = typeof rp === 'string' ? rp : rp?.value?.[0]?.address
    if (!address || address.replace(/[<>\s]/g, '') === '') return { kind: 'bounce', reason: 'empty Return-Path (<>)' }
  }
  const local = mail.from?.address.split('@')[0] ?? ''
  if (SYSTEM_LOCAL_PARTS.test(local)) return { kind: 'system-sender', reason: `sender ${mail.from?.address}` }
  if (mail.subject && AUTO_SUBJECT.test(mail.subject.trim())) return { kind: 'auto-reply', reason: `subject "${mail.subject.slice(0, 60)}"` }
  return null
}
