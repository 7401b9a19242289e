// Whether the receiving server vouched for the sender (Authentication-Results: DMARC, or SPF/DKIM aligned with
// the From domain), and so what the confirmation may do. A forged From otherwise turns our confirmation into
// backscatter carrying the forger's text and links to a stranger. The work order opens either way.
import { authenticateSender } from '../authentication-results.js'
import type { Headers } from 'mailparser'
import type { IngestStep } from './context.js'

export const authenticateSenderStep: IngestStep = {
  name: 'authenticate-sender',
  async run(ctx) {
    const received = ctx.parsed
    if (!received || !ctx.content || !ctx.sender || ctx.automatic || ctx.spam) return ctx
    const { incoming, deps } = ctx
    const mailbox = incoming.mailboxId === null ? null : await deps.repos.mailboxes.findById(incoming.mailboxId)
    // the headers of the mail as it arrived: for PEC the provider's envelope, whose From is the provider, which
    // authenticated its own user, the From of postacert.eml
    const verdict = authenticateSender(headerValues(received.headers, 'authentication-results'), received.from?.address ?? null, mailbox?.authservId ?? null)
    // the confirmation goes to the address that matched; a Reply-To is nobody's verified address
    const vouched = verdict.authenticated && ctx.sender.address !== null && ctx.sender.address === ctx.content.from?.address
    const confirm = vouched ? 'quote' : mailbox?.confirmUnauthenticated ? 'plain' : 'none'
    const detail = verdict.authenticated && !vouched ? `${verdict.detail}; reply-to ${ctx.sender.address ?? ''} is not the From address` : verdict.detail
    ctx.authentication = { authenticated: vouched, method: vouched ? verdict.method : null, authservId: verdict.authservId, detail, confirm }
    ctx.meta.senderAuthentication = { authenticated: vouched, method: vouched ? verdict.method : null, authservId: verdict.authservId, detail }
    return ctx
  }
}

/** Every value of a repeated header, top first (mailparser keeps one string or, when repeated, a list). */
function headerValues(headers: Headers, name: string): string[] {
  const value = headers.get(name)
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value]
  return list.filter((v): v is string => typeof v === 'string')
}
