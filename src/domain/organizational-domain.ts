// The organizational domain of a host name: the domain a registrant owns (`mail.comune.example.it` →
// `example.it`). Relaxed DMARC alignment compares these, and a PEC provider's receipts come from its own. Pure.
//
// The full rule is the Public Suffix List; we take the last two labels, or the last three under the small set of
// two-level public suffixes below (`co.uk`, `gov.it`, …), so no list has to be downloaded or kept current. The
// approximation errs towards "aligned" only for sibling names under a suffix missing from the set (e.g. two
// municipalities under `bologna.it`): the receiving server's own DMARC verdict, when it gives one, is exact.

const TWO_LEVEL_SUFFIXES = new Set([
  'co.uk',
  'org.uk',
  'ac.uk',
  'gov.uk',
  'ltd.uk',
  'plc.uk',
  'me.uk',
  'net.uk',
  'nhs.uk',
  'sch.uk',
  'gov.it',
  'edu.it',
  'com.au',
  'net.au',
  'org.au',
  'edu.au',
  'gov.au',
  'co.nz',
  'org.nz',
  'co.jp',
  'ne.jp',
  'or.jp',
  'ac.jp',
  'co.za',
  'com.br',
  'com.mx',
  'com.ar',
  'com.tr',
  'com.cn',
  'com.hk',
  'com.sg',
  'co.in',
  'co.kr',
  'co.il',
  'com.ua',
  'com.pl',
  'com.es',
  'com.pt',
  'co.at',
  'or.at',
  'gv.at'
])

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/

/** The organizational domain, lower-case; null for an IP address, a single label or an empty name. */
export function organizationalDomain(host: string | null | undefined): string | null {
  if (!host || IPV4.test(host) || host.includes(':')) return null
  const labels = host
    .trim()
    .toLowerCase()
    .replace(/\.$/, '')
    .split('.')
    .filter((l) => l.length > 0)
  if (labels.length < 2) return null
  const lastTwo = labels.slice(-2).join('.')
  if (TWO_LEVEL_SUFFIXES.has(lastTwo)) return labels.length >= 3 ? labels.slice(-3).join('.') : null
  return lastTwo
}

/** Relaxed alignment (RFC 7489 §3.1): both names have the same organizational domain. */
export function relaxedAligned(a: string | null | undefined, b: string | null | undefined): boolean {
  const x = organizationalDomain(a)
  return x !== null && x === organizationalDomain(b)
}
