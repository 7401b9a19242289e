// A message is skipped as a duplicate only when it really is one we stored: same Message-ID and same content, or,
// without a Message-ID, same sender, date, subject and content (every attachment included). When in doubt it is
// stored: a Message-ID reused for different content gets a key of its own.
import { contentFingerprint, messageIdKey, syntheticKey } from '../message-id.js'
import type { IngestContext, IngestStep } from './context.js'

export const dedupe: IngestStep = {
  name: 'dedupe',
  async run(ctx) {
    const mail = ctx.content
    if (!mail) return ctx
    const contentHash = contentFingerprint(mail)
    ctx.contentHash = contentHash
    ctx.meta.contentHash = contentHash
    if (!mail.messageId) {
      const key = syntheticKey('no-message-id', mail.from?.address ?? '', mail.date?.toISOString() ?? '', contentHash)
      return (await isStored(ctx, key)) ? duplicateOf(ctx, key) : keyed(ctx, key)
    }
    const key = messageIdKey(mail.messageId)
    const stored = await ctx.deps.repos.messages.findContentHash(key)
    if (stored === undefined) return (await isStored(ctx, key)) ? duplicateOf(ctx, key) : keyed(ctx, key)
    // rows stored before fingerprints existed, and our own outbound mail, have none: the Message-ID decides
    if (stored === null || stored === contentHash) return duplicateOf(ctx, key)
    const variant = syntheticKey('message-id-reused', key, contentHash)
    if (await isStored(ctx, variant)) return duplicateOf(ctx, variant)
    ctx.meta.messageIdReused = true
    return keyed(ctx, variant)
  }
}

/** Stored as a message, or waiting in the spam list (unless this is the release of that very entry). */
async function isStored(ctx: IngestContext, key: string): Promise<boolean> {
  const { repos } = ctx.deps
  if (await repos.messages.existsByDedupeKey(key)) return true
  return !ctx.incoming.released && (await repos.spam.existsByDedupeKey(key))
}

function keyed(ctx: IngestContext, key: string): IngestContext {
  ctx.dedupeKey = key
  return ctx
}

function duplicateOf(ctx: IngestContext, key: string): IngestContext {
  ctx.dedupeKey = key
  ctx.disposition = { kind: 'duplicate', key }
  return ctx
}
