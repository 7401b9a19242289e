// The attachment rows of a stored message; the bytes were written by prepare-content before the transaction.
import type { Repositories } from '../../repositories/index.js'
import { sha256Hex } from '../../storage.js'
import type { IngestContext } from './context.js'

export async function storeAttachments(tx: Repositories, messageId: number, ctx: IngestContext): Promise<void> {
  for (const [i, a] of ctx.attachments.entries()) {
    const bytes = ctx.storedBytes[i]
    if (!bytes) continue
    await tx.attachments.insert({
      messageId,
      filename: a.filename,
      contentType: a.contentType,
      size: a.size,
      sha256: a.sha256 || sha256Hex(a.content),
      contentId: a.contentId,
      inline: a.inline,
      storage: bytes.storage,
      storageKey: bytes.storageKey,
      content: bytes.content,
      createdAt: ctx.now
    })
  }
}
