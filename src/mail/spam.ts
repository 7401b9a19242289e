// Spam verdicts the receiving server already gave: filter headers (SpamAssassin, rspamd, Barracuda, Microsoft
// 365) and IMAP keywords. Pure: headers and flags in, a verdict out. Mail with a verdict opens no work order and
// gets no confirmation; it waits in the spam list for an operator.
import type { Headers } from 'mailparser'
import { headerText } from './parse.js'

export interface SpamVerdict {
  /** Which header, keyword or rule said so: shown to the operator in the spam list. */
  reason: string
}

/** Microsoft's Spam Confidence Level: 5 and 6 are "spam", 9 "high confidence spam" (Exchange Online docs). */
const SCL_SPAM = 5

export function detectSpam(headers: Headers, flags: readonly string[] = []): SpamVerdict | null {
  const h = (name: string) => headerText(headers, name).trim()
  if (/^yes\b/i.test(h('x-spam-flag'))) return { reason: 'X-Spam-Flag: YES' }
  if (/^yes\b/i.test(h('x-spam-status'))) return { reason: `X-Spam-Status: ${h('x-spam-status').slice(0, 80)}` }
  if (/^yes\b/i.test(h('x-spam'))) return { reason: 'X-Spam: Yes' }
  if (/^yes\b/i.test(h('x-barracuda-spam-flag'))) return { reason: 'X-Barracuda-Spam-Flag: YES' }
  const scl = sclOf(h('x-ms-exchange-organization-scl')) ?? sclOf(/\bSCL:(-?\d+)/i.exec(h('x-forefront-antispam-report'))?.[1] ?? '')
  if (scl !== null && scl >= SCL_SPAM) return { reason: `SCL ${scl} (Microsoft 365)` }
  const keywords = flags.map((f) => f.toLowerCase())
  const notJunk = keywords.includes('$notjunk') || keywords.includes('notjunk') || keywords.includes('nonjunk')
  const junk = flags.find((f) => /^\$?junk$/i.test(f))
  if (junk && !notJunk) return { reason: `IMAP keyword ${junk}` }
  return null
}

function sclOf(value: string): number | null {
  const n = Number.parseInt(value.trim(), 10)
  return Number.isFinite(n) ? n : null
}
