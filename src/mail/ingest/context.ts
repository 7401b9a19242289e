// What flows through the ingest pipeline: the dependencies, the incoming mail, and the context each step reads
// and extends. A step that decides the message's fate sets `disposition`; later steps then stand aside and only
// `persist` runs.
import type { Standards } from '../../domain/arera.js'
import type { RequestTypeSuggestion } from '../../domain/arera.js'
import type { WorkingCalendar } from '../../domain/working-days.js'
import type { GenericContributor } from '../../work-orders/generic-contributor.js'
import type { ResolvedOptions } from '../../options.js'
import type { Territories } from '../../domain/territories.js'
import type { Repositories } from '../../repositories/index.js'
import type { AttachmentStorage, StoredBytes } from '../../storage.js'
import type { SenderAuthentication } from '../authentication-results.js'
import type { AutomaticVerdict } from '../automatic.js'
import type { ParsedAttachment, ParsedMail } from '../parse.js'
import type { PecEnvelope } from '../pec.js'
import type { RawSource } from '../raw-source.js'
import type { SenderMatchResult } from '../sender-match.js'
import type { SpamVerdict } from '../spam.js'
import type { ThreadMatch } from '../threading.js'

export interface IngestDeps {
  repos: Repositories
  genericContributor: GenericContributor
  options: ResolvedOptions
  storage: AttachmentStorage
  calendar: WorkingCalendar
  standards: Standards
  /** ARERA territories for the opening clock (see src/work-orders/open.ts). */
  territories?: (tx: Repositories) => Promise<Territories>
  now?: () => Date
}

/** Where the mail came from; `checkpoint` is set by the watcher and advances in the same transaction. */
export interface IncomingMail {
  raw: RawSource
  mailboxId: number | null
  /** The IMAP internal date: the ARERA receipt date of an email. */
  receivedAt: Date | null
  checkpoint?: { owner: string; uidValidity: string; uid: number }
  /** Sender identity for confirmations (the mailbox's own address). */
  replyFrom?: string | null
  /** The mailbox's own size limit, when it has one (otherwise inbound.maxMessageBytes). */
  maxBytes?: number | null
  /** IMAP keywords of the message (`$Junk`, `Junk`, …), when the watcher knows them. */
  flags?: readonly string[]
  /** An operator released this mail from the spam list: the spam checks stand aside. */
  released?: boolean
  /** Found again by a UIDVALIDITY rescan: stored if new, never answered. */
  rescan?: boolean
  /** History brought in by an archive import: threaded, closed, no confirmation, out of the register unless included. */
  archive?: { includeInRegister: boolean }
}

export type IngestOutcome = 'created' | 'threaded' | 'automatic' | 'duplicate' | 'quarantined' | 'oversize' | 'spam'

export interface IngestResult {
  outcome: IngestOutcome
  messageId: number | null
  workOrderId: number | null
  detail?: string
}

export type ConfirmationMode = 'quote' | 'plain' | 'none'

/** A fate decided before the message is stored as a message: copy of one we have, or unreadable. */
export type Disposition = { kind: 'duplicate'; key: string } | { kind: 'quarantine'; reason: string }

export interface IngestContext {
  readonly deps: IngestDeps
  readonly incoming: IncomingMail
  readonly now: Date
  disposition: Disposition | null
  /** Over the size limit: only the headers are parsed, the raw source goes to quarantine with the message. */
  oversize: { size: number; limit: number } | null
  /** The mail as parsed (the PEC transport envelope, for certified mail). */
  parsed: ParsedMail | null
  /** What the person wrote: the PEC postacert.eml, or the mail itself. */
  content: ParsedMail | null
  pec: PecEnvelope | null
  automatic: AutomaticVerdict | null
  spam: SpamVerdict | null
  dedupeKey: string | null
  /** Fingerprint of the content (body and every attachment): tells a reused Message-ID from a copy. */
  contentHash: string | null
  sender: SenderMatchResult | null
  /**
   * Whether the receiving server vouched for the sender, and what a confirmation may do: quote the mail, go out
   * without quoting it (the mailbox confirms unauthenticated senders too), or not go out at all.
   */
  authentication: (SenderAuthentication & { confirm: ConfirmationMode }) | null
  thread: ThreadMatch | null
  /** No thread, but a stored Message-ID named this work order: the new work order is linked to it as possibly related. */
  possiblyRelated: number | null
  suggestion: RequestTypeSuggestion | null
  /** Every file to store with the message (its attachments, plus the PEC evidence). */
  attachments: ParsedAttachment[]
  storedBytes: StoredBytes[]
  /** For automatic mail: the conversation and the outbound message it is evidence about. */
  evidence: {
    workOrderId: number | null
    failedOutbound: { id: number; reason: string } | null
    /** A genuine PEC acceptance or delivery receipt: the outbound message's new delivery status. */
    deliveredOutbound?: { id: number; status: 'accepted' | 'delivered' } | null
    detail: string
  } | null
  /** The sanitized HTML body. */
  html: string | null
  /** Facts for the message's `meta` that steps add (oversize, reused Message-ID, …). */
  meta: Record<string, unknown>
  /** Set by persist: the one outcome of this mail. */
  result: IngestResult | null
}

export interface IngestStep {
  readonly name: string
  run(ctx: IngestContext): Promise<IngestContext> | IngestContext
}

export class LeaseLostError extends Error {
  constructor(mailboxId: number) {
    super(`Lease on mailbox ${mailboxId} lost: another instance took over; nothing was stored`)
    this.name = 'LeaseLostError'
  }
}

export function newContext(deps: IngestDeps, incoming: IncomingMail): IngestContext {
  return {
    deps,
    incoming,
    now: deps.now?.() ?? new Date(),
    disposition: null,
    oversize: null,
    parsed: null,
    content: null,
    pec: null,
    automatic: null,
    spam: null,
    dedupeKey: null,
    contentHash: null,
    sender: null,
    authentication: null,
    thread: null,
    possiblyRelated: null,
    suggestion: null,
    evidence: null,
    attachments: [],
    storedBytes: [],
    html: null,
    meta: {},
    result: null
  }
}
