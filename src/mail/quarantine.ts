// A message the pipeline could not store: its raw source goes to the quarantine with the reason, the checkpoint
// moves past it, and the mailbox carries on. Nothing is lost: an administrator reads it from GET /quarantine.
import type { Repositories } from '../repositories/index.js'
import type { IncomingMail } from './ingest/index.js'

export async function quarantineIncoming(repos: Repositories, incoming: IncomingMail, reason: string, now: Date = new Date()): Promise<number> {
  const raw = await incoming.raw.readAll()
  return repos.transaction(async (tx) => {
    const id = await tx.quarantine.insert(
      {
        mailboxId: incoming.mailboxId,
        uidValidity: incoming.checkpoint?.uidValidity ?? null,
        imapUid: incoming.checkpoint?.uid ?? null,
        reason,
        messageId: null,
        size: raw.length,
        raw,
        rawStorageKey: null
      },
      now
    )
    await tx.audit.record(
      { actorType: 'system', action: 'mail.quarantined', details: { reason, mailboxId: incoming.mailboxId, uid: incoming.checkpoint?.uid ?? null } },
      now
    )
    if (incoming.checkpoint && incoming.mailboxId !== null) {
      const { owner, uidValidity, uid } = incoming.checkpoint
      if (!(await tx.mailboxes.advanceCheckpoint(incoming.mailboxId, owner, uidValidity, uid, now)))
        throw new Error(`Lease on mailbox ${incoming.mailboxId} lost: nothing was quarantined`)
    }
    return id
  })
}
