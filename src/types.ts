// Shapes shared across the module: what the API returns and what the host hooks exchange.
import type { FastifyRequest } from 'fastify'

export type Direction = 'inbound' | 'outbound'
export type Channel = 'email' | 'web' | 'app' | 'note'
/** `accepted` and `delivered`: a PEC provider's acceptance (accettazione) and delivery (avvenuta consegna) receipts. */
export type DeliveryStatus = 'queued' | 'sending' | 'sent' | 'retrying' | 'failed' | 'accepted' | 'delivered'
/** How the sender of an inbound message was matched to the contributor registry. */
export type SenderMatch = 'single' | 'ambiguous' | 'unknown'

/** The module's own view of a work order's life cycle; the host mapping says how each is spelled in its table. */
export const WORK_ORDER_STATES = ['open', 'in_progress', 'waiting', 'closed'] as const
export type WorkOrderState = (typeof WORK_ORDER_STATES)[number]

export const PERMISSIONS = ['read', 'write', 'documents', 'admin'] as const
/** read: see conversations; write: reply, forward, notes, state; documents: send the conversation document; admin: mailboxes and settings. */
export type Permission = (typeof PERMISSIONS)[number]

export interface Operator {
  id: string
  name: string
  email?: string | null
  permissions: readonly Permission[]
}

export type AuthorizeHook = (request: FastifyRequest) => Operator | null | undefined | Promise<Operator | null | undefined>

/** Antivirus state: 'off' when no scanner was configured as it arrived; only 'clean' and 'off' files are served. */
export type ScanStatus = 'clean' | 'infected' | 'pending' | 'error' | 'off'

export interface AttachmentSummary {
  id: number
  filename: string
  contentType: string
  size: number
  sha256: string
  contentId: string | null
  inline: boolean
  scan: ScanStatus
  /** The signature clamd found (scan 'infected'), else null. */
  virus: string | null
  /** true when it cannot be downloaded or sent (infected, not scanned yet, or the scan failed). */
  blocked: boolean
}

export interface Message {
  id: number
  workOrderId: number | null
  contributorId: number | null
  mailboxId: number | null
  direction: Direction
  channel: Channel
  messageId: string | null
  inReplyTo: string | null
  references: string[]
  from: string | null
  fromName: string | null
  to: string[]
  cc: string[]
  subject: string | null
  html: string | null
  text: string | null
  attachments: AttachmentSummary[]
  createdAt: string
  receivedAt: string | null
  deliveryStatus: DeliveryStatus | null
  deliveryError: string | null
  automaticKind: string | null
  senderMatch: SenderMatch | null
  senderCandidates: number[]
  operator: { id: string; name: string | null } | null
  meta: Record<string, unknown>
}

export interface Contributor {
  id: number
  displayName: string
  fiscalCode: string | null
  emails: string[]
}

export interface WorkOrder {
  id: number
  contributorId: number | null
  /** The module's state, or null when the host holds a value the mapping does not name. */
  status: WorkOrderState | null
  /** The value as stored in the host table. */
  hostStatus: string | null
  hostType: string | null
  subject: string | null
  description: string | null
  createdAt: string | null
}
