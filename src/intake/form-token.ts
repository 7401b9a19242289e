// The form's signed timestamp: issued when the page is served, checked when it comes back. A bot that posts
// straight away (or never loaded the page) fails the check; a person needs more than a few seconds to fill the
// form. The token also names the submission: posting the same form twice opens one work order, not two.
import { createHmac, timingSafeEqual } from 'node:crypto'

const VERSION = 'v1'

function signature(secret: string, issuedAtMs: number): string {
  return createHmac('sha256', secret).update(`trc-intake-form:${VERSION}:${issuedAtMs}`).digest('base64url').slice(0, 32)
}

export function issueFormToken(secret: string, now: Date = new Date()): string {
  const issued = now.getTime()
  return `${VERSION}.${issued.toString(36)}.${signature(secret, issued)}`
}

export type FormTokenCheck = { ok: true; issuedAt: Date } | { ok: false; reason: 'missing' | 'invalid' | 'tooFast' | 'expired'; issuedAt?: Date }

export function checkFormToken(secret: string, token: unknown, now: Date, minFillMs: number, validityMs: number): FormTokenCheck {
  if (typeof token !== 'string' || token === '') return { ok: false, reason: 'missing' }
  const match = /^v1\.([0-9a-z]{1,12})\.([A-Za-z0-9_-]{32})$/.exec(token)
  if (!match) return { ok: false, reason: 'invalid' }
  const issued = Number.parseInt(match[1] as string, 36)
  const expected = Buffer.from(signature(secret, issued))
  const given = Buffer.from(match[2] as string)
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'invalid' }
  const issuedAt = new Date(issued)
  const age = now.getTime() - issued
  // a token from the future was not issued by this clock: as suspicious as a forged one
  if (age < -60_000) return { ok: false, reason: 'invalid' }
  if (age < minFillMs) return { ok: false, reason: 'tooFast', issuedAt }
  if (age > validityMs) return { ok: false, reason: 'expired', issuedAt }
  return { ok: true, issuedAt }
}
