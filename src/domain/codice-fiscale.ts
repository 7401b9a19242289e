// Italian fiscal code (codice fiscale) checks: structure and check character (DM 23/12/1976).
// Pure code: used by intake validation and by the example host's seed.

const ODD: Record<string, number> = {
  '0': 1,
  '1': 0,
  '2': 5,
  '3': 7,
  '4': 9,
  '5': 13,
  '6': 15,
  '7': 17,
  '8': 19,
  '9': 21,
  A: 1,
  B: 0,
  C: 5,
  D: 7,
  E: 9,
  F: 13,
  G: 15,
  H: 17,
  I: 19,
  J: 21,
  K: 2,
  L: 4,
  M: 18,
  N: 20,
  O: 11,
  P: 3,
  Q: 6,
  R: 8,
  S: 12,
  T: 14,
  U: 16,
  V: 10,
  W: 22,
  X: 25,
  Y: 24,
  Z: 23
}

function evenValue(ch: string): number {
  return /\d/.test(ch) ? Number(ch) : ch.charCodeAt(0) - 65
}

/** The 16th character computed from the first 15. */
function fiscalCodeCheckChar(first15: string): string {
  const s = first15.toUpperCase()
  let sum = 0
  for (let i = 0; i < 15; i++) {
    const ch = s[i] ?? ''
    // positions are 1-based in the standard: odd positions are even indexes here
    sum += i % 2 === 0 ? (ODD[ch] ?? 0) : evenValue(ch)
  }
  return String.fromCharCode(65 + (sum % 26))
}

// Omocodia replaces digits with these letters when two people would share a code.
const OMOCODE = /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/

/** A natural person's 16-character code with a valid check character (omocodia accepted). */
export function isValidFiscalCode(value: string): boolean {
  const s = value.trim().toUpperCase()
  if (!OMOCODE.test(s)) return false
  return fiscalCodeCheckChar(s.slice(0, 15)) === s[15]
}

/** A company's 11-digit partita IVA / codice fiscale numerico (Luhn-like check). */
export function isValidPartitaIva(value: string): boolean {
  const s = value.trim()
  if (!/^\d{11}$/.test(s)) return false
  let sum = 0
  for (let i = 0; i < 10; i++) {
    let d = Number(s[i])
    if (i % 2 === 1) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return (10 - (sum % 10)) % 10 === Number(s[10])
}

const MONTHS = 'ABCDEHLMPRST'

function consonants(s: string): string {
  return s
    .toUpperCase()
    .replace(/[^A-Z]/g, '')
    .replace(/[AEIOU]/g, '')
}
function vowels(s: string): string {
  return s.toUpperCase().replace(/[^AEIOU]/g, '')
}

/** Builds a fiscal code from personal data (no omocodia): used to seed realistic demo data. */
export function buildFiscalCode(surname: string, name: string, birth: { year: number; month: number; day: number }, female: boolean, belfiore: string): string {
  const sur = (consonants(surname) + vowels(surname) + 'XXX').slice(0, 3)
  const cons = consonants(name)
  const nam = cons.length >= 4 ? cons[0]! + cons[2]! + cons[3]! : (cons + vowels(name) + 'XXX').slice(0, 3)
  const yy = String(birth.year % 100).padStart(2, '0')
  const mm = MONTHS[birth.month - 1] ?? 'A'
  const dd = String(birth.day + (female ? 40 : 0)).padStart(2, '0')
  const first15 = `${sur}${nam}${yy}${mm}${dd}${belfiore.toUpperCase()}`
  return first15 + fiscalCodeCheckChar(first15)
}
