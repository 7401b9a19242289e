// Certified mail (PEC): the person's message is the postacert.eml inside the provider's envelope.
import { MailParseError } from '../parse.js'
import { unwrapPec } from '../pec.js'
import type { IngestStep } from './context.js'

export const unwrapPecStep: IngestStep = {
  name: 'unwrap-pec',
  async run(ctx) {
    if (!ctx.parsed || ctx.automatic || ctx.spam) return ctx
    try {
      ctx.pec = await unwrapPec(ctx.parsed)
    } catch (err) {
      if (!(err instanceof MailParseError)) throw err
      ctx.disposition = { kind: 'quarantine', reason: `PEC postacert.eml non interpretabile: ${err.message}` }
      return ctx
    }
    ctx.content = ctx.pec?.inner ?? ctx.parsed
    if (ctx.pec?.inner.rawHeaders) ctx.meta.rawHeaders = ctx.pec.inner.rawHeaders
    return ctx
  }
}
