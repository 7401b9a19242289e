// The work done before the transaction opens, so CPU and file writes hold no database locks: the sanitized
// HTML body, and the attachment bytes written to storage (content-addressed: a rolled-back write is harmless).
import { truncate } from '../../domain/text.js'
import type { ParsedAttachment, ParsedMail } from '../parse.js'
import { sanitizeEmailHtml, textToHtml } from '../sanitize.js'
import type { IngestStep } from './context.js'

export const MAX_TEXT = 1_000_000

export const prepareContent: IngestStep = {
  name: 'prepare-content',
  async run(ctx) {
    const mail = ctx.spam ? null : ctx.automatic ? ctx.parsed : ctx.content
    if (!mail) return ctx
    ctx.attachments = [...mail.attachments, ...(ctx.automatic ? [] : (ctx.pec?.evidence ?? []))]
    ctx.storedBytes = await Promise.all(ctx.attachments.map((a) => ctx.deps.storage.put(a.content, a.sha256)))
    ctx.html = bodyHtml(mail, ctx.attachments)
    return ctx
  }
}

/**
 * The stored HTML body: sanitized, with `cid:` images pointing at `attachments/cid/<Content-ID>`, which the
 * service resolves to the attachment's download URL when it reads the conversation. The source is truncated,
 * never the sanitized output, so a cut cannot leave half a tag behind.
 */
function bodyHtml(mail: Pick<ParsedMail, 'html' | 'text'>, attachments: ParsedAttachment[]): string | null {
  const cids = new Set(attachments.map((a) => a.contentId).filter((c): c is string => !!c))
  if (mail.html)
    return sanitizeEmailHtml(truncate(mail.html, MAX_TEXT), { cidUrl: (cid) => (cids.has(cid) ? `attachments/cid/${encodeURIComponent(cid)}` : null) })
  return mail.text ? textToHtml(truncate(mail.text, MAX_TEXT)) : null
}
