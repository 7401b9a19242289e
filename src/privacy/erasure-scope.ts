// What an erasure by email address (GDPR art. 17) removes, decided without I/O. The address may belong to no
// registered contributor (the mail went to the generic contributor), or to someone who wrote into another
// person's request; either way only this person's data may go:
// - a work order whose contributor is the generic one (or none) and whose only external correspondent is this
//   address is this person's request: it is anonymized whole, like a contributor's (intake, audit details, the
//   host's description too);
// - in any other work order (a registered contributor's, or one with other correspondents) only the messages
//   from or to this address, with their attachments, are anonymized: the other people's messages stay;
// - messages from or to the address outside any work order go too.
// External correspondents are the senders of inbound messages and the recipients (to, cc) of outbound ones:
// the module's own mailboxes are the other side of each. Internal notes have none. Someone only copied on the
// citizen's inbound mail is in that message alone, which goes anyway.
import type { Correspondence } from '../repositories/privacy.js'

export interface ErasureScope {
  /** Work orders holding anything of the address: each must be closed and out of the register. */
  concerned: number[]
  /** Anonymized whole. */
  whole: number[]
  /** Messages anonymized one by one: the address's in the other work orders, and those outside any work order. */
  messageIds: number[]
}

export interface AddressScopeInput {
  address: string
  /** Messages from or to the address (repositories.privacy.messagesOfAddress). */
  messages: Correspondence[]
  /** Work orders reached otherwise (a Sportello/app request made with the address). */
  otherWorkOrderIds: number[]
  /** Every message of the concerned work orders. */
  correspondence: Correspondence[]
  contributorOf: Map<number, number | null>
  genericContributorId: number
}

function externalCorrespondents(m: Correspondence): string[] {
  if (m.channel === 'note') return []
  if (m.direction === 'inbound') return m.from ? [m.from] : []
  return [...m.to, ...m.cc]
}

/** The work orders to look into: those of the address's messages and `otherWorkOrderIds`, ascending. */
export function concernedWorkOrders(messages: Correspondence[], otherWorkOrderIds: number[]): number[] {
  const ids = messages.map((m) => m.workOrderId).filter((id): id is number => id !== null)
  return [...new Set([...ids, ...otherWorkOrderIds])].sort((a, b) => a - b)
}

export function addressScope(input: AddressScopeInput): ErasureScope {
  const concerned = concernedWorkOrders(input.messages, input.otherWorkOrderIds)
  const others = new Set<number>()
  for (const m of input.correspondence) {
    if (m.workOrderId !== null && externalCorrespondents(m).some((a) => a !== input.address)) others.add(m.workOrderId)
  }
  const whole = concerned.filter((id) => {
    const contributor = input.contributorOf.get(id) ?? null
    return (contributor === null || contributor === input.genericContributorId) && !others.has(id)
  })
  const wholeSet = new Set(whole)
  const messageIds = input.messages.filter((m) => m.workOrderId === null || !wholeSet.has(m.workOrderId)).map((m) => m.id)
  return { concerned, whole, messageIds }
}
