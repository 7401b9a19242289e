// Which conversation the mail continues: our signed Message-IDs, stored Message-IDs (only from a sender accepted
// into that conversation), or a subject reference accepted only from the work order's own contributor (see
// threading.ts). A stored Message-ID from anyone else leaves a work order to link the new one to.
import { findThread } from '../threading.js'
import type { Repositories } from '../../repositories/index.js'
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
    ctx.thread = found.thread && { ...found.thread, workOrderId: await afterMerges(repos, found.thread.workOrderId) }
    ctx.possiblyRelated = found.possiblyRelated === null ? null : await afterMerges(repos, found.possiblyRelated)
    return ctx
  }
}

/**
 * The work order a conversation lives in now: a token or subject naming a work order that was merged into
 * another leads to the one it was merged into (and on, if that one was merged too).
 */
async function afterMerges(repos: Repositories, workOrderId: number): Promise<number> {
  let current = workOrderId
  for (let hops = 0; hops < 10; hops++) {
    const into = (await repos.workOrderMeta.find(current))?.mergedIntoWorkOrderId ?? null
    if (into === null || into === workOrderId) return current
    current = into
  }
  return current
}
