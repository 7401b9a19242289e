// A line the module itself writes on a conversation's timeline (never sent): something the operator must know
// happened, or did not, e.g. a confirmation withheld. Stored as a note with `meta.kind = 'system'`.
import { randomBytes } from 'node:crypto'
import { escapeHtml } from '../domain/escape.js'
import { syntheticKey } from '../mail/message-id.js'
import type { Repositories } from '../repositories/index.js'

export async function recordSystemNote(
  tx: Repositories,
  workOrderId: number,
  contributorId: number | null,
  text: string,
  meta: Record<string, unknown>,
  now: Date
): Promise<number> {
  return tx.messages.insert({
    workOrderId,
    contributorId,
    direction: 'outbound',
    channel: 'note',
    messageId: null,
    dedupeKey: syntheticKey('system', workOrderId, randomBytes(16).toString('hex')),
    from: null,
    fromName: null,
    to: [],
    cc: [],
    subject: null,
    html: `<p>${escapeHtml(text)}</p>`,
    text,
    operator: null,
    meta: { ...meta, kind: 'system' },
    createdAt: now
  })
}
