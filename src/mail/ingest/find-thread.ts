// Which conversation the mail continues: our signed Message-IDs, stored Message-IDs (only from a sender accepted
// into that conversation), or a subject reference accepted only from the work order's own contributor (see
// threading.ts). A stored Message-ID from anyone else leaves a work order to link the new one to.
import { findThread } from '../threading.js'
import type { IngestStep } from './context.js'

export const findThreadStep: IngestStep = {
  name: 'find-thread',
  async run(ctx) {
    const mail = ctx.content
    if (!mail || ctx.spam || ctx.automatic?.kind === 'bounce' || ctx.automatic?.kind === 'pec-receipt') return ctx
    const { repos, options } = ctx.deps
    // automatic mail (auto-replies, lists) joins a conversation only through its headers, never by subject
    const found = await findThread(repos, options.secret, {
      inReplyTo: mail.inReplyTo,
      references: mail.references,
      subject: ctx.automatic ? null : mail.subject,
      senderAddresses: [mail.from?.address, ...mail.replyTo.map((r) => r.address)].filter((a): a is string => !!a)
    })
    ctx.thread = found.thread
    ctx.possiblyRelated = found.possiblyRelated
    return ctx
  }
}
