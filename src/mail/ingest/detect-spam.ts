// Spam the receiving server flagged, and mail from senders an operator blocked, go to the spam list: no work
// order, no confirmation. An operator's release re-ingests the mail with this step standing aside.
import { detectSpam } from '../spam.js'
import type { IngestStep } from './context.js'

export const detectSpamStep: IngestStep = {
  name: 'detect-spam',
  async run(ctx) {
    if (!ctx.parsed || ctx.incoming.released) return ctx
    ctx.spam = detectSpam(ctx.parsed.headers, ctx.incoming.flags ?? [])
    const from = ctx.parsed.from?.address
    if (!ctx.spam && from) {
      const rule = await ctx.deps.repos.spam.findBlockRule(from)
      if (rule) ctx.spam = { reason: `mittente bloccato (${rule})` }
    }
    return ctx
  }
}
