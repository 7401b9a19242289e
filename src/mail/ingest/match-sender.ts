// Who wrote: the contributor(s) whose address matches the sender (or Reply-To), else the generic contributor.
import { matchSender } from '../sender-match.js'
import type { IngestStep } from './context.js'

export const matchSenderStep: IngestStep = {
  name: 'match-sender',
  async run(ctx) {
    const mail = ctx.content
    if (!mail || ctx.automatic || ctx.spam) return ctx
    const { repos, genericContributor } = ctx.deps
    ctx.sender = await matchSender(repos.host, await genericContributor.get(repos.settings), mail.from, mail.replyTo)
    return ctx
  }
}
