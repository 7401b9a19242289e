// What the delivery of one of our outbound messages changes beyond its status: a reasoned reply stops the ARERA
// clock when it actually leaves, and the clock runs again when it turns out it never reached the citizen — after an
// SMTP 5xx, after a genuine bounce, after a PEC non-delivery receipt alike.
import type { Repositories } from '../repositories/index.js'

/** Only while the work order's clock-stopping reply is still this message (set when it was queued). */
export async function settleReply(tx: Repositories, messageId: number, sentAt: Date | null, now: Date): Promise<void> {
  const message = await tx.messages.findById(messageId)
  if (message?.workOrderId == null) return
  const meta = await tx.workOrderMeta.find(message.workOrderId)
  if (meta?.replyMessageId !== messageId) return
  await tx.workOrderMeta.update(message.workOrderId, sentAt ? { replySentAt: sentAt } : { replySentAt: null, replyMessageId: null }, now)
}

/** Tells open browsers that the delivery status of an outbound message changed (last in the transaction that changed it). */
export async function announceDelivery(tx: Repositories, messageId: number, now: Date): Promise<void> {
  const message = await tx.messages.findById(messageId)
  if (message?.workOrderId != null) await tx.changes.append(message.workOrderId, 'delivery', now)
}

/** The message never reached its recipient: mark it failed and, if it was the reply that stopped the clock, restart it. */
export async function markOutboundFailed(tx: Repositories, messageId: number, reason: string, now: Date): Promise<void> {
  await tx.messages.setDeliveryStatus(messageId, 'failed', reason)
  await settleReply(tx, messageId, null, now)
  const message = await tx.messages.findById(messageId)
  // the followers learn it: the citizen did not get the answer
  if (message?.workOrderId != null)
    await tx.notifications.notifyFollowers(message.workOrderId, 'delivery_failed', `${message.to.join(', ')}: ${reason}`.slice(0, 1000), now)
}
