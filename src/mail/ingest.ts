// The ingest pipeline: one raw message in, exactly one outcome out. It reads as its steps:
//   parse → detect automatic mail → unwrap PEC → dedupe → match sender → thread → persist (+ confirmation)
// Everything a message changes — the message, its attachments, a new or reopened work order, the mailbox
// checkpoint, the confirmation in the outbox, the audit entries — commits in one transaction.
import { randomBytes } from 'node:crypto'
import { dueDate, requestTypeLabel, suggestRequestType, type RequestType, type Standards } from '../domain/arera.js'
import { romeDate, type WorkingCalendar } from '../domain/working-days.js'
import type { GenericContributor } from '../generic-contributor.js'
import type { ResolvedOptions } from '../options.js'
import type { Repositories } from '../repositories/index.js'
import { isUniqueViolation } from '../repositories/normalize.js'
import type { AttachmentStorage } from '../storage.js'
import { detectAutomatic, type AutomaticVerdict } from './automatic.js'
import { readBounce } from './bounce.js'
import { messageIdKey, syntheticKey } from './message-id.js'
import { queueOutboundMail } from './outbound.js'
import { MailParseError, parseMail, type ParsedAttachment, type ParsedMail } from './parse.js'
import { readPecReceipt, unwrapPec, type PecEnvelope } from './pec.js'
import type { RawSource } from './raw-source.js'
import { htmlToText, sanitizeEmailHtml, textToHtml } from './sanitize.js'
import { matchSender, type SenderMatchResult } from './sender-match.js'
import { channelLabel, confirmationMail } from './templates.js'
import { findThread, type ThreadMatch } from './threading.js'
import { sha256Hex } from '../storage.js'

export interface IngestDeps {
  repos: Repositories
  genericContributor: GenericContributor
  options: ResolvedOptions
  storage: AttachmentStorage
  calendar: WorkingCalendar
  standards: Standards
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
}

export type IngestOutcome = 'created' | 'threaded' | 'automatic' | 'duplicate' | 'quarantined' | 'oversize'

export interface IngestResult {
  outcome: IngestOutcome
  messageId: number | null
  workOrderId: number | null
  detail?: string
}

export class LeaseLostError extends Error {
  constructor(mailboxId: number) {
    super(`Lease on mailbox ${mailboxId} lost: another instance took over; nothing was stored`)
    this.name = 'LeaseLostError'
  }
}

const MAX_TEXT = 1_000_000

export async function ingestMail(deps: IngestDeps, incoming: IncomingMail): Promise<IngestResult> {
  const now = deps.now?.() ?? new Date()
  const limit = incoming.maxBytes ?? deps.options.inbound.maxMessageBytes
  if (incoming.raw.size > limit) return recordOversize(deps, incoming, limit, now)

  let parsed: ParsedMail
  try {
    parsed = await parseMail(incoming.raw.open())
  } catch (err) {
    return quarantine(deps, incoming, `parse: ${(err as Error).message}`, null, now)
  }

  const automatic = detectAutomatic(parsed)
  let pec: PecEnvelope | null
  try {
    pec = automatic ? null : await unwrapPec(parsed)
  } catch (err) {
    if (!(err instanceof MailParseError)) throw err
    return quarantine(deps, incoming, `PEC postacert.eml non interpretabile: ${err.message}`, parsed.messageId, now)
  }
  const content = pec?.inner ?? parsed
  const dedupeKey = dedupeKeyOf(content)
  if (await deps.repos.messages.existsByDedupeKey(dedupeKey)) return duplicate(deps, incoming, now)

  try {
    if (automatic) return await persistAutomatic(deps, incoming, parsed, automatic, dedupeKey, now)
    const sender = await matchSender(deps.repos.host, await deps.genericContributor.get(), content.from, content.replyTo)
    const thread = await findThread(deps.repos, deps.options.secret, {
      inReplyTo: content.inReplyTo, references: content.references, subject: content.subject,
      senderAddresses: [content.from?.address, ...content.replyTo.map((r) => r.address)].filter((a): a is string => !!a)
    })
    return await persistReport(deps, incoming, { parsed, content, pec, sender, thread, dedupeKey }, now)
  } catch (err) {
    // Another instance stored the same mail between our check and our insert: the unique key held.
    if (isUniqueViolation(err)) return duplicate(deps, incoming, now)
    throw err
  }
}

function dedupeKeyOf(mail: ParsedMail): string {
  if (mail.messageId) return messageIdKey(mail.messageId)
  return syntheticKey('no-message-id', mail.from?.address ?? '', mail.date?.toISOString() ?? '', mail.subject ?? '', sha256Hex(Buffer.from(mail.text ?? mail.html ?? '')))
}

async function advanceCheckpoint(tx: Repositories, incoming: IncomingMail, now: Date): Promise<void> {
  if (!incoming.checkpoint || incoming.mailboxId === null) return
  const { owner, uidValidity, uid } = incoming.checkpoint
  if (!(await tx.mailboxes.advanceCheckpoint(incoming.mailboxId, owner, uidValidity, uid, now))) throw new LeaseLostError(incoming.mailboxId)
}

async function duplicate(deps: IngestDeps, incoming: IncomingMail, now: Date): Promise<IngestResult> {
  await deps.repos.transaction((tx) => advanceCheckpoint(tx, incoming, now))
  return { outcome: 'duplicate', messageId: null, workOrderId: null }
}

async function quarantine(deps: IngestDeps, incoming: IncomingMail, reason: string, messageId: string | null, now: Date): Promise<IngestResult> {
  const raw = await incoming.raw.readAll()
  await deps.repos.transaction(async (tx) => {
    await tx.quarantine.insert({
      mailboxId: incoming.mailboxId, uidValidity: incoming.checkpoint?.uidValidity ?? null, imapUid: incoming.checkpoint?.uid ?? null,
      reason, messageId, size: raw.length, raw, rawStorageKey: null
    }, now)
    await tx.audit.record({ actorType: 'system', action: 'mail.quarantined', details: { reason, mailboxId: incoming.mailboxId, uid: incoming.checkpoint?.uid ?? null } }, now)
    await advanceCheckpoint(tx, incoming, now)
  })
  return { outcome: 'quarantined', messageId: null, workOrderId: null, detail: reason }
}

/** Over the size limit: the headers become a message with a note (so the citizen is not lost), the raw source goes to quarantine. */
async function recordOversize(deps: IngestDeps, incoming: IncomingMail, limit: number, now: Date): Promise<IngestResult> {
  const head = await incoming.raw.readHead(256 * 1024)
  const end = head.indexOf('\r\n\r\n') >= 0 ? head.indexOf('\r\n\r\n') + 4 : head.indexOf('\n\n') >= 0 ? head.indexOf('\n\n') + 2 : head.length
  let headers: ParsedMail
  try {
    headers = await parseMail(Buffer.concat([head.subarray(0, end), Buffer.from('\r\n')]))
  } catch (err) {
    return quarantine(deps, incoming, `oversize and unparseable headers: ${(err as Error).message}`, null, now)
  }
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`
  const note = `Messaggio di ${mb(incoming.raw.size)}, oltre il limite di ${mb(limit)}: sono stati registrati solo mittente e oggetto. Il messaggio originale è conservato in quarantena.`
  const content: ParsedMail = { ...headers, text: note, html: null, attachments: [] }
  const raw = await incoming.raw.readAll()
  await deps.repos.quarantine.insert({ mailboxId: incoming.mailboxId, uidValidity: incoming.checkpoint?.uidValidity ?? null, imapUid: incoming.checkpoint?.uid ?? null, reason: 'oversize', messageId: headers.messageId, size: raw.length, raw, rawStorageKey: null }, now)
  const sender = await matchSender(deps.repos.host, await deps.genericContributor.get(), content.from, content.replyTo)
  const thread = await findThread(deps.repos, deps.options.secret, { inReplyTo: content.inReplyTo, references: content.references, subject: content.subject, senderAddresses: content.from ? [content.from.address] : [] })
  try {
    const result = await persistReport(deps, incoming, { parsed: content, content, pec: null, sender, thread, dedupeKey: dedupeKeyOf(content), meta: { oversize: true, size: incoming.raw.size } }, now)
    return { ...result, outcome: 'oversize' }
  } catch (err) {
    if (isUniqueViolation(err)) return duplicate(deps, incoming, now)
    throw err
  }
}

interface ReportInput {
  parsed: ParsedMail
  content: ParsedMail
  pec: PecEnvelope | null
  sender: SenderMatchResult
  thread: ThreadMatch | null
  dedupeKey: string
  meta?: Record<string, unknown>
}

/** A person's mail: joins its conversation, or opens a work order; new contacts get a confirmation. */
async function persistReport(deps: IngestDeps, incoming: IncomingMail, input: ReportInput, now: Date): Promise<IngestResult> {
  const { content, sender, thread, pec } = input
  const receivedAt = incoming.receivedAt ?? content.date ?? now
  const attachments = [...content.attachments, ...(pec?.evidence ?? [])]
  const stored = await Promise.all(attachments.map((a) => deps.storage.put(a.content, a.sha256)))
  const suggestion = suggestRequestType(content.subject ?? '', (content.text ?? htmlToText(content.html ?? '')).slice(0, 20_000))
  // sanitized before the transaction opens: CPU work does not hold database locks
  const html = bodyHtml(content, attachments)

  return deps.repos.transaction(async (tx) => {
    let workOrderId: number | null = null
    let created = false
    let contributorId = sender.contributorId
    let parentWorkOrderId: number | null = null
    if (thread) {
      const wo = await tx.host.findWorkOrder(thread.workOrderId)
      if (wo) {
        contributorId = wo.contributorId ?? contributorId
        if (wo.status !== 'closed') workOrderId = wo.id
        else if (deps.options.inbound.closedReplies === 'reopen' && (await recentlyActive(tx, wo.id, now, deps.options.inbound.reopenWithinDays))) {
          await tx.host.setWorkOrderState(wo.id, 'open')
          await tx.audit.record({ actorType: 'citizen', actorName: content.from?.address ?? null, action: 'workOrder.reopened', workOrderId: wo.id, details: { from: 'closed', via: thread.via } }, now)
          workOrderId = wo.id
        } else {
          parentWorkOrderId = wo.id
        }
      }
    }
    if (workOrderId === null) {
      workOrderId = await openWorkOrder(tx, deps, {
        contributorId: sender.contributorId, subject: content.subject, text: content.text ?? htmlToText(content.html ?? ''),
        type: suggestion.type, suggested: suggestion.type, receivedAt, parentWorkOrderId, channel: 'email'
      }, now)
      created = true
    }

    const messageId = await tx.messages.insert({
      workOrderId, contributorId: created ? sender.contributorId : contributorId, mailboxId: incoming.mailboxId,
      direction: 'inbound', channel: 'email', messageId: content.messageId, dedupeKey: input.dedupeKey,
      inReplyTo: content.inReplyTo, references: content.references,
      from: content.from?.address ?? null, fromName: content.from?.name || null,
      to: content.to.map((a) => a.address), cc: content.cc.map((a) => a.address),
      subject: content.subject, html, text: truncate(content.text ?? (content.html ? htmlToText(content.html) : ''), MAX_TEXT),
      senderMatch: sender.match, senderCandidates: sender.candidates, imapUid: incoming.checkpoint?.uid ?? null,
      meta: {
        ...(pec ? { pec: { transport: pec.transport, envelopeMessageId: pec.envelopeMessageId } } : {}),
        ...(thread ? { threadedVia: thread.via } : {}),
        ...(parentWorkOrderId ? { continuesWorkOrder: parentWorkOrderId } : {}),
        ...(created ? { suggestedType: suggestion.type, suggestionConfidence: suggestion.confidence } : {}),
        ...(input.meta ?? {})
      },
      // createdAt is when we stored it: the conversation's order is arrival order even within one second
      // (IMAP dates have no milliseconds); receivedAt is the mailbox's date, the ARERA receipt date.
      receivedAt, createdAt: now
    })
    await storeAttachments(tx, messageId, attachments, stored, now)
    await tx.audit.record({ actorType: 'citizen', actorName: content.from?.address ?? null, action: created ? 'mail.opened' : 'mail.threaded', workOrderId, messageId, details: { sender: sender.match, candidates: sender.candidates, via: thread?.via ?? null } }, now)
    await advanceCheckpoint(tx, incoming, now)
    if (created && sender.address) await queueConfirmation(tx, deps, { workOrderId, contributorId: sender.contributorId, to: sender.address, content, receivedAt, pec: !!pec, replyFrom: incoming.replyFrom ?? null, inReplyTo: content.messageId }, now)
    return { outcome: created ? 'created' : 'threaded', messageId, workOrderId }
  })
}

async function recentlyActive(tx: Repositories, workOrderId: number, now: Date, days: number): Promise<boolean> {
  const conversation = await tx.messages.listByWorkOrder(workOrderId)
  const last = conversation.at(-1)?.createdAt
  const lastActivity = last ? Date.parse(last) : 0
  return now.getTime() - lastActivity <= days * 86_400_000
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
export async function openWorkOrder(tx: Repositories, deps: Pick<IngestDeps, 'calendar' | 'standards'>, contact: NewContact, now: Date): Promise<number> {
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

async function storeAttachments(tx: Repositories, messageId: number, attachments: ParsedAttachment[], stored: Awaited<ReturnType<AttachmentStorage['put']>>[], now: Date): Promise<void> {
  for (const [i, a] of attachments.entries()) {
    const bytes = stored[i]
    if (!bytes) continue
    await tx.attachments.insert({
      messageId, filename: a.filename, contentType: a.contentType, size: a.size, sha256: a.sha256 || sha256Hex(a.content),
      contentId: a.contentId, inline: a.inline, storage: bytes.storage, storageKey: bytes.storageKey, content: bytes.content, createdAt: now
    })
  }
}

/**
 * The stored HTML body: sanitized, with `cid:` images pointing at `attachments/cid/<Content-ID>`, which the
 * service resolves to the attachment's download URL when it reads the conversation. The source is truncated,
 * never the sanitized output, so a cut cannot leave half a tag behind.
 */
function bodyHtml(mail: Pick<ParsedMail, 'html' | 'text'>, attachments: ParsedAttachment[]): string | null {
  const cids = new Set(attachments.map((a) => a.contentId).filter((c): c is string => !!c))
  if (mail.html) return sanitizeEmailHtml(truncate(mail.html, MAX_TEXT), { cidUrl: (cid) => (cids.has(cid) ? `attachments/cid/${encodeURIComponent(cid)}` : null) })
  return mail.text ? textToHtml(truncate(mail.text, MAX_TEXT)) : null
}

interface ConfirmationInput {
  workOrderId: number
  contributorId: number
  to: string
  content: Pick<ParsedMail, 'subject' | 'text' | 'html'>
  receivedAt: Date
  pec: boolean
  replyFrom: string | null
  inReplyTo: string | null
  channel?: 'email' | 'web' | 'app'
}

/** Queues the acknowledgement for a new contact, at most `confirmationsPerHour` per address. */
export async function queueConfirmation(tx: Repositories, deps: Pick<IngestDeps, 'options' | 'standards'>, input: ConfirmationInput, now: Date): Promise<boolean> {
  const { options } = deps
  const from = input.replyFrom ?? options.mail.from
  if (!from) return false
  const recent = await tx.outbox.countSince(input.to, 'confirmation', new Date(now.getTime() - 3_600_000))
  if (recent >= options.inbound.confirmationsPerHour) {
    await tx.audit.record({ actorType: 'system', action: 'confirmation.suppressed', workOrderId: input.workOrderId, details: { to: input.to, reason: 'rate limit' } }, now)
    return false
  }
  const meta = await tx.workOrderMeta.find(input.workOrderId)
  const type = (meta?.areraType ?? null) as RequestType | null
  const text = (input.content.text ?? htmlToText(input.content.html ?? '')).replace(/\s+/g, ' ').trim()
  const mail = confirmationMail({
    locale: options.locale, organizationName: options.organizationName, reference: meta?.reference ?? String(input.workOrderId),
    workOrderId: input.workOrderId, originalSubject: input.content.subject, receivedAt: input.receivedAt,
    typeLabel: type ? requestTypeLabel(type, options.locale) : null, dueDate: meta?.dueDate ?? null,
    workingDays: type ? (deps.standards[type]?.workingDays ?? null) : null,
    summary: text.length > 400 ? `${text.slice(0, 400)}…` : text, channelLabel: channelLabel(input.channel ?? 'email', options.locale, input.pec)
  })
  await queueOutboundMail(tx, {
    workOrderId: input.workOrderId, contributorId: input.contributorId, kind: 'confirmation', from, to: [input.to],
    subject: mail.subject, html: mail.html, text: mail.text, inReplyTo: input.inReplyTo, references: input.inReplyTo ? [input.inReplyTo] : [], now
  }, options.secret)
  return true
}

/** Machine-written mail: never a new work order, never a confirmation; evidence joins the conversation it concerns. */
async function persistAutomatic(deps: IngestDeps, incoming: IncomingMail, mail: ParsedMail, verdict: AutomaticVerdict, dedupeKey: string, now: Date): Promise<IngestResult> {
  const { repos } = deps
  let workOrderId: number | null = null
  let failedOutbound: { id: number; reason: string } | null = null
  let detail = verdict.reason
  if (verdict.kind === 'bounce') {
    const bounce = readBounce(mail)
    const original = bounce.originalMessageId ? await repos.messages.findByDedupeKey(messageIdKey(bounce.originalMessageId)) : null
    if (original) {
      workOrderId = original.workOrderId
      if (bounce.permanent && original.direction === 'outbound') failedOutbound = { id: original.id, reason: [bounce.status, bounce.diagnostic].filter(Boolean).join(' ') || 'Messaggio non recapitato' }
    }
    detail = `${verdict.reason}; ${bounce.recipient ?? ''} ${bounce.status ?? ''} ${bounce.diagnostic ?? ''}`.trim()
  } else if (verdict.kind === 'pec-receipt') {
    const receipt = readPecReceipt(mail)
    const original = receipt?.referenceMessageId ? await repos.messages.findByDedupeKey(messageIdKey(receipt.referenceMessageId)) : null
    if (original) {
      workOrderId = original.workOrderId
      if (receipt?.outcome === 'failed' && original.direction === 'outbound') failedOutbound = { id: original.id, reason: `PEC: ${receipt.type}` }
    }
  } else {
    const thread = await findThread(repos, deps.options.secret, { inReplyTo: mail.inReplyTo, references: mail.references, subject: null, senderAddresses: [] })
    workOrderId = thread?.workOrderId ?? null
  }
  const stored = await Promise.all(mail.attachments.map((a) => deps.storage.put(a.content, a.sha256)))
  return repos.transaction(async (tx) => {
    const messageId = await tx.messages.insert({
      workOrderId, contributorId: null, mailboxId: incoming.mailboxId, direction: 'inbound', channel: 'email',
      messageId: mail.messageId, dedupeKey, inReplyTo: mail.inReplyTo, references: mail.references,
      from: mail.from?.address ?? null, fromName: mail.from?.name || null, to: mail.to.map((a) => a.address), cc: mail.cc.map((a) => a.address),
      subject: mail.subject, html: bodyHtml(mail, mail.attachments), text: truncate(mail.text ?? htmlToText(mail.html ?? ''), MAX_TEXT), automaticKind: verdict.kind,
      imapUid: incoming.checkpoint?.uid ?? null, meta: { automatic: detail },
      receivedAt: incoming.receivedAt ?? mail.date ?? now, createdAt: now
    })
    await storeAttachments(tx, messageId, mail.attachments, stored, now)
    if (failedOutbound) {
      await tx.messages.setDeliveryStatus(failedOutbound.id, 'failed', failedOutbound.reason)
      await tx.audit.record({ actorType: 'system', action: 'outbound.bounced', workOrderId, messageId: failedOutbound.id, details: { reason: failedOutbound.reason, evidence: messageId } }, now)
    }
    await tx.audit.record({ actorType: 'system', action: 'mail.automatic', workOrderId, messageId, details: { kind: verdict.kind, reason: detail } }, now)
    await advanceCheckpoint(tx, incoming, now)
    return { outcome: 'automatic' as const, messageId, workOrderId, detail }
  })
}

function truncate(value: string, max: number): string {
  return value.length > max ? value.slice(0, max) : value
}
