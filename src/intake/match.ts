// Who is the citizen? The codice fiscale identifies a person; the email address may be shared by a family. So the
// fiscal code decides first, the email only when there is no fiscal code match (or to pick between rows that share
// a fiscal code). Anything uncertain goes to the generic contributor with the candidates kept, as for email.
import type { HostRepository } from '../repositories/host.js'
import type { SenderMatch } from '../types.js'
import { matchSender } from '../mail/sender-match.js'

export interface CitizenMatch {
  contributorId: number
  match: SenderMatch
  candidates: number[]
  via: 'fiscalCode' | 'email' | null
}

export async function matchCitizen(
  host: Pick<HostRepository, 'findContributorsByEmail' | 'findContributorsByFiscalCode'>,
  genericContributorId: number,
  citizen: { fiscalCode: string | null; email: string | null }
): Promise<CitizenMatch> {
  if (citizen.fiscalCode) {
    const byCode = (await host.findContributorsByFiscalCode(citizen.fiscalCode)).filter((c) => c.id !== genericContributorId)
    if (byCode.length === 1) return { contributorId: (byCode[0] as { id: number }).id, match: 'single', candidates: [], via: 'fiscalCode' }
    if (byCode.length > 1) {
      const emailIds = citizen.email ? new Set((await host.findContributorsByEmail(citizen.email)).map((c) => c.id)) : new Set<number>()
      const both = byCode.filter((c) => emailIds.has(c.id))
      if (both.length === 1) return { contributorId: (both[0] as { id: number }).id, match: 'single', candidates: [], via: 'fiscalCode' }
      return { contributorId: genericContributorId, match: 'ambiguous', candidates: byCode.map((c) => c.id), via: 'fiscalCode' }
    }
  }
  if (!citizen.email) return { contributorId: genericContributorId, match: 'unknown', candidates: [], via: null }
  const sender = await matchSender(host, genericContributorId, { address: citizen.email, name: '' })
  return { contributorId: sender.contributorId, match: sender.match, candidates: sender.candidates, via: sender.match === 'unknown' ? null : 'email' }
}
