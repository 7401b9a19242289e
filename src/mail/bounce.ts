// Delivery status notifications (RFC 3464): which of our messages bounced, to whom, and why.
import { normaliseMessageId } from './message-id.js'
import type { ParsedMail } from './parse.js'

export interface BounceReport {
  originalMessageId: string | null
  recipient: string | null
  action: string | null
  status: string | null
  diagnostic: string | null
  /** false for delayed/relayed/delivered reports, which are not failures. */
  permanent: boolean
}

function field(text: string, name: string): string | null {
  const match = new RegExp(`^${name}:[ \\t]*(.+(?:\\r?\\n[ \\t]+.+)*)`, 'im').exec(text)
  return match?.[1] ? match[1].replace(/\r?\n[ \t]+/g, ' ').trim() : null
}

export function readBounce(mail: ParsedMail): BounceReport {
  const status = mail.attachments.find((a) => a.contentType === 'message/delivery-status')
  const statusText = status ? status.content.toString('utf8') : (mail.text ?? '')
  const original = mail.attachments.find((a) => a.contentType === 'message/rfc822' || a.contentType === 'text/rfc822-headers')
  let originalMessageId: string | null = null
  if (original) {
    const head =
      original.content
        .subarray(0, 64 * 1024)
        .toString('utf8')
        .split(/\r?\n\r?\n/)[0] ?? ''
    const id = field(head, 'Message-ID')
    if (id) originalMessageId = normaliseMessageId(id)
  }
  if (!originalMessageId) originalMessageId = mail.inReplyTo ?? mail.references.at(-1) ?? null
  const action = field(statusText, 'Action')?.toLowerCase() ?? null
  const statusCode = field(statusText, 'Status')
  const recipient =
    field(statusText, 'Final-Recipient')
      ?.replace(/^rfc822;\s*/i, '')
      .toLowerCase() ?? null
  const diagnostic = field(statusText, 'Diagnostic-Code')?.replace(/^smtp;\s*/i, '') ?? null
  const permanent = action ? action === 'failed' : statusCode ? statusCode.startsWith('5') : true
  return { originalMessageId, recipient, action, status: statusCode, diagnostic, permanent }
}
