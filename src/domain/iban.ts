// IBAN checks (ISO 13616): country length and the mod-97 check digits. Pure code, used by intake validation for
// the bank details a complaint gives for refunds.

// Lengths of the SEPA countries' IBANs: a refund to an Italian waste-tax payer goes to one of these.
const LENGTHS: Readonly<Record<string, number>> = {
  AD: 24,
  AT: 20,
  BE: 16,
  BG: 22,
  CH: 21,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  EE: 20,
  ES: 24,
  FI: 18,
  FR: 27,
  GB: 22,
  GI: 23,
  GR: 27,
  HR: 21,
  HU: 28,
  IE: 22,
  IS: 26,
  IT: 27,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  MC: 27,
  MT: 31,
  NL: 18,
  NO: 15,
  PL: 28,
  PT: 25,
  RO: 24,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  VA: 22
}

/** Upper case without spaces: the electronic format (`IT60 X054 …` → `IT60X054…`). */
export function normalizeIban(value: string): string {
  return value.replace(/[\s-]+/g, '').toUpperCase()
}

/** The remainder of the rearranged IBAN modulo 97, computed in chunks to stay within safe integers. */
function mod97(iban: string): number {
  const rearranged = iban.slice(4) + iban.slice(0, 4)
  let remainder = 0
  for (const ch of rearranged) {
    const digits = /\d/.test(ch) ? ch : String(ch.charCodeAt(0) - 55)
    for (const d of digits) remainder = (remainder * 10 + Number(d)) % 97
  }
  return remainder
}

export type IbanProblem = 'format' | 'country' | 'length' | 'checksum'

/** null when the IBAN is valid, otherwise what is wrong with it (for a precise message). */
export function ibanProblem(value: string): IbanProblem | null {
  const iban = normalizeIban(value)
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return 'format'
  const length = LENGTHS[iban.slice(0, 2)]
  if (length === undefined) return 'country'
  if (iban.length !== length) return 'length'
  // Italian IBANs carry a CIN letter, then ABI and CAB codes (5 digits each), then a 12-character account.
  if (iban.startsWith('IT') && !/^IT\d{2}[A-Z]\d{10}[A-Z0-9]{12}$/.test(iban)) return 'format'
  return mod97(iban) === 1 ? null : 'checksum'
}

export function isValidIban(value: string): boolean {
  return ibanProblem(value) === null
}
