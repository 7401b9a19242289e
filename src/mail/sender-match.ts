// Step 4 of the ingest pipeline: who wrote? Matches the sender against every email column of the contributor
// registry. One match: that contributor. Several (families share addresses): never guess — the generic
// contributor, with the candidates recorded for an operator to pick. None: the generic contributor.
import type { HostRepository } from '../repositories/host.js'
import type { SenderMatch } from '../types.js'
import type { MailAddress } from './parse.js'

export interface SenderMatchResult {
  contributorId: number
  match: SenderMatch
  candidates: number[]
  /** The address that matched (From, or Reply-To when only that one is known). */
  address: string | null
}

export async function matchSender(
  host: Pick<HostRepository, 'findContributorsByEmail'>,
  genericContributorId: number,
  from: MailAddress | null,
  replyTo: MailAddress[] = []
): Promise<SenderMatchResult> {
  const addresses = [from?.address, ...replyTo.map((r) => r.address)].filter((a): a is string => !!a)
  const unique = [...new Set(addresses.map((a) => a.toLowerCase()))]
  for (const address of unique) {
    const found = (await host.findContributorsByEmail(address)).filter((c) => c.id !== genericContributorId)
    if (found.length === 1) return { contributorId: (found[0] as { id: number }).id, match: 'single', candidates: [], address }
    if (found.length > 1) return { contributorId: genericContributorId, match: 'ambiguous', candidates: found.map((c) => c.id), address }
  }
  return { contributorId: genericContributorId, match: 'unknown', candidates: [], address: unique[0] ?? null }
}
