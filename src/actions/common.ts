// What reply, forward and the document mail share: who it comes from, who it goes to, which files travel with it,
// and the limits that keep an outgoing mail deliverable.
import { assertSendable } from '../antivirus/guard.js'
import { findUnresolved } from '../domain/templates.js'
import { fieldError, HttpError, invalidField } from '../http-errors.js'
import { mailboxSender } from '../mail/mailbox-manager.js'
import type { ResolvedOptions } from '../options.js'
import type { Repositories } from '../repositories/index.js'
import type { StoredBytes } from '../storage.js'
import { signatureFor } from '../templates/service.js'
import { sha256Hex, type AttachmentStorage } from '../storage.js'
import type { Message, Operator } from '../types.js'

type StoredMessage = Omit<Message, 'attachments'>

/** A file an operator uploaded with a reply or forward. */
export interface Upload {
  filename: string
  contentType: string
  content: Buffer
}

export interface ActionDeps {
  repos: Repositories
  options: ResolvedOptions
  storage: AttachmentStorage
  /** Tells this instance's outbox worker that mail was committed to the outbox. */
  wake: () => void
  /** The module's clock: the time operator actions are stamped with. */
  now: () => Date
}

export type Actor = Pick<Operator, 'id' | 'name' | 'email'>

// A pragmatic address check: one @, no spaces or brackets, a dotted domain. The relay has the final word.
const ADDRESS = /^[^\s@<>()",;:\\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/
const NAMED = /^\s*"?([^"<>]*?)"?\s*<([^<>]+)>\s*$/

/** Addresses as given (`a@b.it` or `Nome <a@b.it>`), validated; a list may also come as one comma-separated string. */
export function parseAddresses(value: unknown, field: string): string[] {
  if (value === undefined || value === null || value === '') return []
  const items = (Array.isArray(value) ? value : [value]).flatMap((v) => (typeof v === 'string' ? splitAddressList(v) : [v]))
  const out: string[] = []
  for (const item of items) {
    if (typeof item !== 'string')
      throw new HttpError(400, 'invalidAddress', { field, value: String(item).slice(0, 80) }, undefined, [
        { field, rule: 'format', params: { format: 'email' } }
      ])
    const named = NAMED.exec(item)
    const address = (named ? (named[2] ?? '') : item).trim()
    if (!ADDRESS.test(address) || address.length > 320)
      throw new HttpError(400, 'invalidAddress', { field, value: item.slice(0, 80) }, undefined, [{ field, rule: 'format', params: { format: 'email' } }])
    const name = named?.[1]?.replace(/["\r\n]/g, '').trim()
    out.push(name ? `"${name}" <${address}>` : address)
  }
  if (out.length > 50) throw invalidField(field, 'tooManyAddresses', { max: 50 })
  return [...new Set(out)]
}

/** Commas separate addresses, except inside a quoted display name. */
function splitAddressList(value: string): string[] {
  const parts: string[] = []
  let current = ''
  let quoted = false
  for (const ch of value) {
    if (ch === '"') quoted = !quoted
    if ((ch === ',' || ch === ';') && !quoted) {
      parts.push(current)
      current = ''
    } else current += ch
  }
  parts.push(current)
  return parts.map((p) => p.trim()).filter((p) => p !== '')
}

/**
 * Our answer comes from the mailbox the citizen wrote to and leaves through that mailbox's outgoing server (a PEC
 * mailbox answers from the PEC address through the PEC provider); otherwise from the configured default sender.
 */
export async function senderFor(deps: ActionDeps, inbound: StoredMessage | null): Promise<{ from: string; mailboxId: number | null }> {
  if (inbound?.mailboxId != null) {
    const mailbox = await deps.repos.mailboxes.findById(inbound.mailboxId)
    const from = mailbox ? (mailboxSender(mailbox) ?? deps.options.mail.from) : null
    if (mailbox && from) return { from, mailboxId: mailbox.id }
  }
  if (deps.options.mail.from) return { from: deps.options.mail.from, mailboxId: null }
  throw new HttpError(409, 'noSender')
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes < 1024 * 1024 ? 2 : 1)} MB`

/** Per-file and per-mail limits (the multipart reader enforces them while streaming; host code calls land here). */
export function checkSizes(options: ResolvedOptions, uploads: Upload[], reattachedBytes: number): void {
  let total = reattachedBytes
  for (const u of uploads) {
    if (u.content.length > options.mail.maxAttachmentBytes)
      throw new HttpError(413, 'attachmentTooLarge', { filename: u.filename, limit: mb(options.mail.maxAttachmentBytes) })
    total += u.content.length
  }
  if (total > options.mail.maxOutboundBytes) throw new HttpError(413, 'outboundTooLarge', { limit: mb(options.mail.maxOutboundBytes), size: mb(total) })
}

/** Stored attachments of this conversation to send again; anything else (or an infected one) is refused. */
export async function conversationAttachments(
  repos: Repositories,
  conversation: StoredMessage[],
  ids: number[]
): Promise<Array<{ id: number; size: number; filename: string }>> {
  const messageIds = new Set(conversation.map((m) => m.id))
  const out: Array<{ id: number; size: number; filename: string }> = []
  for (const id of [...new Set(ids)]) {
    const a = await repos.attachments.findById(id)
    if (!a || !messageIds.has(a.messageId)) throw fieldError(400, 'attachmentNotInConversation', { id }, 'attachmentIds')
    assertSendable(a)
    out.push({ id: a.id, size: a.size, filename: a.filename })
  }
  return out
}

/** Bytes go to storage before the transaction (directory writes are idempotent and content-addressed). */
export function storeUploads(storage: AttachmentStorage, uploads: Upload[]): Promise<StoredBytes[]> {
  return Promise.all(uploads.map((u) => storage.put(u.content)))
}

export async function insertUploads(tx: Repositories, messageId: number, uploads: Upload[], stored: StoredBytes[], now: Date): Promise<void> {
  for (const [i, u] of uploads.entries()) {
    const bytes = stored[i] as StoredBytes
    await tx.attachments.insert({
      messageId,
      filename: u.filename,
      contentType: u.contentType,
      size: u.content.length,
      sha256: sha256Hex(u.content),
      contentId: null,
      inline: false,
      storage: bytes.storage,
      storageKey: bytes.storageKey,
      content: bytes.content,
      createdAt: now
    })
  }
}

/** Images an operator pastes from the conversation (`<prefix>/attachments/ID`) are sent along with the reply. */
export function attachmentImageSrc(prefix: string, allowed: Set<number>, picked: Set<number>) {
  const base = prefix === '/' ? '' : prefix
  return (src: string): string | null => {
    const match = /^(?:https?:\/\/[^/]+)?(.*)\/attachments\/(\d+)$/.exec(src.trim()) ?? /^()attachments\/(\d+)$/.exec(src.trim())
    if (match && (match[1] === base || match[1] === '')) {
      const id = Number(match[2])
      if (!allowed.has(id)) return null
      picked.add(id)
      // the URL the conversation view uses; the outbox worker sends the file as the image's inline part
      return `${base}/attachments/${id}`
    }
    return /^https:\/\//i.test(src.trim()) ? src.trim() : null
  }
}

export function actorOf(operator: Actor): { id: string; name: string } {
  return { id: operator.id, name: operator.name }
}

/** Nothing with a `{{…}}` left in it reaches a citizen: a template's required field not filled in is a 400. */
export function refuseUnresolved(html: string, field: string): void {
  const unresolved = findUnresolved(html)
  if (unresolved.length)
    throw new HttpError(400, 'unresolvedPlaceholders', { list: unresolved.join(', ') }, { [field]: `segnaposto da compilare: ${unresolved.join(', ')}` })
}

/** The operator's and the mailbox's signatures after the text (unless the operator left them out). */
export async function withSignature(deps: ActionDeps, html: string, operator: Actor, mailboxId: number | null, include = true): Promise<string> {
  const signature = include ? await signatureFor(deps.repos, deps.options, operator, mailboxId) : ''
  return signature ? `${html}\n${signature}` : html
}
