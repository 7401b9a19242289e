// Opening a work order for a new contact, whatever the channel (mail ingest, Sportello On-line, app): the host's
// row plus the module's metadata (reference, request type, ARERA due date) in the caller's transaction.
import { randomBytes } from 'node:crypto'
import { dueDate, type RequestType, type StandardCode, type Standards } from '../domain/arera.js'
import type { Territories } from '../domain/territories.js'
import { romeDate, type WorkingCalendar } from '../domain/working-days.js'
import type { Repositories } from '../repositories/index.js'
import { truncate } from '../domain/text.js'

export interface WorkOrderClockDeps {
  calendar: WorkingCalendar
  standards: Standards
  /**
   * The territories (calendars and standards per municipality or office, with the run-time changes): when given,
   * the request gets the territory of its contributor's municipality or of the receiving mailbox.
   */
  territories?: (tx: Repositories) => Promise<Territories>
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
  /** The mailbox that received it (picks the territory when the contributor's municipality does not). */
  mailboxId?: number | null
  /** The second clock the message calls for, shown to the operator until confirmed. */
  suggestedService?: StandardCode | null
  /** History from an archive import: opened closed, and out of the register unless `inRegister`. */
  historical?: { inRegister: boolean }
}

/** The territory of a new contact and the calendar and standards that follow. */
async function clockOf(
  tx: Repositories,
  deps: WorkOrderClockDeps,
  contact: NewContact
): Promise<{ territory: string | null; calendar: WorkingCalendar; standards: Standards }> {
  if (!deps.territories) return { territory: null, calendar: deps.calendar, standards: deps.standards }
  const all = await deps.territories(tx)
  const municipality = (await tx.host.municipalitiesOf([contact.contributorId])).get(contact.contributorId) ?? null
  const mailbox = contact.mailboxId ? await tx.mailboxes.findById(contact.mailboxId) : null
  const t = all.resolve({ municipality, mailboxId: contact.mailboxId ?? null, mailboxAddress: mailbox?.fromAddress ?? mailbox?.username ?? null })
  return { territory: t.code, calendar: t.calendar, standards: t.standards }
}

/** Opens a work order in the host table and records the module's metadata (reference, type, due date). */
export async function openWorkOrder(tx: Repositories, deps: WorkOrderClockDeps, contact: NewContact, now: Date): Promise<number> {
  const subject = truncate((contact.subject ?? '').trim() || '(senza oggetto)', 250)
  const clock = await clockOf(tx, deps, contact)
  const workOrderId = await tx.host.createWorkOrder({
    contributorId: contact.contributorId,
    state: contact.historical ? 'closed' : 'open',
    type: contact.type,
    subject,
    description: truncate(contact.text.trim(), 4000) || null,
    createdAt: contact.receivedAt
  })
  await tx.workOrderMeta.insert({
    workOrderId,
    reference: referenceFor(workOrderId, contact.receivedAt),
    areraType: contact.type,
    suggestedType: contact.suggested,
    channel: contact.channel,
    service: contact.service ?? null,
    receivedAt: contact.receivedAt,
    dueDate: dueDate(clock.calendar, contact.type, contact.receivedAt, clock.standards),
    parentWorkOrderId: contact.parentWorkOrderId,
    publicToken: randomBytes(16).toString('hex'),
    territory: clock.territory,
    suggestedServiceType: contact.suggestedService ?? null,
    historical: !!contact.historical,
    registerExcluded: !!contact.historical && !contact.historical.inRegister,
    now
  })
  return workOrderId
}

/** `RC-<year>-<000123>`: the year of the receipt day in Europe/Rome, like every ARERA date. */
function referenceFor(workOrderId: number, receivedAt: Date): string {
  return `RC-${romeDate(receivedAt).slice(0, 4)}-${String(workOrderId).padStart(6, '0')}`
}
