// Who is accepted into a conversation: the addresses whose mail may join a work order through a stored Message-ID,
// and the only addresses a reply (or a public note's notification) goes to by default. Knowing a Message-ID proves
// nothing: every recipient of the citizen's mail, everyone it was forwarded to and every list it went through knows
// it. So membership is decided by who the work order is about and whom we chose to write to:
//   - the contributor's registered addresses (all of them: email, second email, PEC);
//   - the sender of a mail that opened a work order now in this conversation (the original sender, even when unknown
//     to the registry; after a merge, the sender of the merged request too — the operator merged them);
//   - whoever we wrote to as the citizen: the recipients (to and cc) of our replies, confirmations and status mails.
//     An operator who writes to an address explicitly lets it into the conversation.
// Not accepted: the recipients of forwards and conversation documents (third parties: a technician, a lawyer), and
// the sender of a mail that joined only through our own signed Message-ID. That id is strong evidence that the
// mail is about this work order (it threads there), but not that its sender is the citizen: the citizen may have
// forwarded our answer to a neighbour who answers it. The neighbour's mail is evidence; the neighbour is not the
// person we answer unless an operator writes to them.
import type { Repositories } from '../repositories/index.js'
import type { Message } from '../types.js'

type StoredMessage = Omit<Message, 'attachments'>

/** Outbound mail addressed to the citizen (forwards and documents go to third parties). */
const TO_CITIZEN = new Set(['reply', 'confirmation', 'status'])

/** The bare, lower-cased address of `a@b.it` or `"Nome" <a@b.it>`. */
export function bareAddress(address: string): string {
  return (/<([^<>]+)>\s*$/.exec(address)?.[1] ?? address).trim().toLowerCase()
}

/** A person's mail (not a machine's, not an operator's note). */
function isPersonMail(m: StoredMessage): boolean {
  return m.direction === 'inbound' && m.channel !== 'note' && !m.automaticKind
}

/** The mail opened a work order: it did not join an open one (a continuation of a closed one opens a new one). */
function openedWorkOrder(m: StoredMessage): boolean {
  return isPersonMail(m) && (!m.meta.threadedVia || !!m.meta.continuesWorkOrder)
}

function acceptedAddresses(conversation: readonly StoredMessage[], contributorEmails: readonly string[]): Set<string> {
  const accepted = new Set(contributorEmails.map(bareAddress))
  for (const m of conversation) {
    if (openedWorkOrder(m) && m.from) accepted.add(bareAddress(m.from))
    if (m.direction === 'outbound' && m.channel === 'email' && TO_CITIZEN.has(String(m.meta.kind))) {
      for (const a of [...m.to, ...m.cc]) accepted.add(bareAddress(a))
    }
  }
  return accepted
}

/** The last mail a person wrote in this conversation from one of `from` (any sender when not given). */
export function lastPersonMail(conversation: readonly StoredMessage[], from?: ReadonlySet<string>): StoredMessage | null {
  for (let i = conversation.length - 1; i >= 0; i--) {
    const m = conversation[i] as StoredMessage
    if (isPersonMail(m) && (!from || (m.from !== null && from.has(bareAddress(m.from))))) return m
  }
  return null
}

export interface Participants {
  conversation: Array<Omit<Message, 'attachments'>>
  accepted: Set<string>
  contributorEmails: string[]
}

/** A work order's conversation and who is accepted into it. */
export async function loadParticipants(
  repos: Pick<Repositories, 'messages' | 'host'>,
  workOrderId: number,
  contributorId: number | null
): Promise<Participants> {
  const conversation = await repos.messages.listByWorkOrder(workOrderId)
  const contributorEmails = contributorId === null ? [] : ((await repos.host.findContributor(contributorId))?.emails ?? [])
  return { conversation, accepted: acceptedAddresses(conversation, contributorEmails), contributorEmails }
}

/**
 * Whom a reply goes to when the operator names nobody: the last accepted correspondent, else the contributor's
 * first address. Never an address that only wrote to us.
 */
export function defaultRecipient(p: Participants): string | null {
  return lastPersonMail(p.conversation, p.accepted)?.from ?? p.contributorEmails[0] ?? null
}

/** The address of the last mail an accepted correspondent wrote in this work order, if any. */
export async function lastCorrespondent(
  repos: Pick<Repositories, 'messages' | 'host'>,
  workOrderId: number,
  contributorId: number | null
): Promise<string | null> {
  const p = await loadParticipants(repos, workOrderId, contributorId)
  return lastPersonMail(p.conversation, p.accepted)?.from ?? null
}
