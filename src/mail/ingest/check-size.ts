// Over the mailbox's size limit, a mail is not parsed whole: only its headers, so the citizen is still answered;
// the raw source is kept in quarantine with the message (see persist).
import type { IngestStep } from './context.js'

export const checkSize: IngestStep = {
  name: 'check-size',
  run(ctx) {
    const limit = ctx.incoming.maxBytes ?? ctx.deps.options.inbound.maxMessageBytes
    if (ctx.incoming.raw.size > limit) ctx.oversize = { size: ctx.incoming.raw.size, limit }
    return ctx
  }
}
