// Opening a work order for a new contact, whatever the channel (mail ingest, Sportello On-line, app): the host's
// row plus the module's metadata (reference, request type, ARERA due date) in the caller's transaction.
import { randomBytes } from 'node:crypto'
import { dueDate, type RequestType, type Standards } from '../domain/arera.js'
import { romeDate, type WorkingCalendar } from '../domain/working-days.js'
import type { Repositories } from '../repositories/index.js'
import { truncate } from '../text.js'

export interface WorkOrderClockDeps {
  calendar: WorkingCalendar
  standards: Standards
}

export interface NewContact {
  contributorId: number
  subject: string | null
  text: string
  type: RequestType
  suggested: RequestType | null
  receivedAt: Date
  parentWorkOrderId: number | null
  channel: 'email' | 'web' | 'app'
  service?: string | null
}

/** Opens a work order in the host table and records the module's metadata (reference, type, due date). */
export async function openWorkOrder(tx: Repositories, deps: WorkOrderClockDeps, contact: NewContact, now: Date): Promise<number> {
  const subject = truncate((contact.subject ?? '').trim() || '(senza oggetto)', 250)
  const workOrderId = await tx.host.createWorkOrder({
    contributorId: contact.contributorId, state: 'open', type: contact.type, subject,
    description: truncate(contact.text.trim(), 4000) || null, createdAt: contact.receivedAt
  })
  await tx.workOrderMeta.insert({
    workOrderId, reference: referenceFor(workOrderId, contact.receivedAt), areraType: contact.type, suggestedType: contact.suggested,
    channel: contact.channel, service: contact.service ?? null, receivedAt: contact.receivedAt,
    dueDate: dueDate(deps.calendar, contact.type, contact.receivedAt, deps.standards), parentWorkOrderId: contact.parentWorkOrderId,
    publicToken: randomBytes(16).toString('hex'), now
  })
  return workOrderId
}

/** `RC-<year>-<000123>`: the year of the receipt day in Europe/Rome, like every ARERA date. */
export function referenceFor(workOrderId: number, receivedAt: Date): string {
  return `RC-${romeDate(receivedAt).slice(0, 4)}-${String(workOrderId).padStart(6, '0')}`
}
