// Removes the personal part of work orders whose retention is over (or erased on request): names, addresses,
// bodies, headers, attachments, intake details, audit details, the host's copy of the citizen's text. What the
// ARERA register is made of (trc_work_order_meta, trc_clock_events) stays exactly as it was.
import type { Repositories } from '../repositories/index.js'
import type { AttachmentStorage } from '../storage.js'
import { romeDate } from '../domain/working-days.js'
import { REGISTER_YEARS } from './options.js'

export interface AnonymizeCounts {
  workOrders: number
  messages: number
  attachments: number
}

/** First instant (Europe/Rome; January is always CET, UTC+1) of a calendar year. */
const romeYearStart = (year: number) => new Date(`${String(year).padStart(4, '0')}-01-01T00:00:00+01:00`)

/** Requests received before this instant are past the register's retention (the five calendar years after theirs). */
export function registerCutoff(now: Date): Date {
  return romeYearStart(Number(romeDate(now).slice(0, 4)) - REGISTER_YEARS)
}

/** The last day a request received at `receivedAt` must stay in the register. */
export function registerKeptUntil(receivedAt: string): string {
  return `${Number(romeDate(new Date(receivedAt)).slice(0, 4)) + REGISTER_YEARS}-12-31`
}

export async function anonymizeWorkOrders(
  repos: Repositories,
  storage: AttachmentStorage,
  workOrderIds: number[],
  now: Date,
  extraMessageIds: number[] = []
): Promise<AnonymizeCounts> {
  if (workOrderIds.length === 0 && extraMessageIds.length === 0) return { workOrders: 0, messages: 0, attachments: 0 }
  const files: string[] = []
  const counts = await repos.transaction(async (tx) => {
    const messageIds = [...new Set([...(await tx.privacy.messageIdsOfWorkOrders(workOrderIds)), ...extraMessageIds])]
    const attachments = await tx.privacy.attachmentFilesOfMessages(messageIds)
    for (const a of attachments) if (a.storage === 'directory' && a.storageKey) files.push(a.storageKey)
    await tx.privacy.deleteAttachments(attachments.map((a) => a.id))
    await tx.privacy.deleteSettledOutbox(messageIds)
    const messages = await tx.privacy.redactMessages(messageIds)
    await tx.privacy.redactIntake(workOrderIds, now)
    await tx.privacy.redactAudit(workOrderIds)
    await tx.privacy.redactNotifications(workOrderIds)
    await tx.privacy.clearHostDescriptions(workOrderIds)
    const workOrders = await tx.privacy.markAnonymized(workOrderIds, now)
    return { workOrders, messages, attachments: attachments.length }
  })
  // content-addressed files: removed once no row (of anyone) refers to them any more
  for (const key of new Set(files)) if ((await repos.privacy.countByStorageKey(key)) === 0) await storage.remove(key)
  return counts
}
