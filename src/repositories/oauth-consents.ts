// OAuth2 consents under way: what the callback needs to finish one (PKCE verifier encrypted by the caller), keyed
// by the SHA-256 of its state. Each is taken once, and only before it expires.
import type { Knex } from 'knex'
import { toId, toIso, toStr, type Row } from './normalize.js'

export interface PendingConsent {
  stateHash: string
  mailboxId: number
  codeVerifierEncrypted: string
  redirectUri: string
  operatorId: string
  returnTo: string | null
  expiresAt: string
}

const PENDING = 'trc_oauth_pending'

export function createOAuthConsentRepository(db: Knex | Knex.Transaction) {
  return {
    async insert(consent: PendingConsent, now: Date = new Date()): Promise<void> {
      await db(PENDING).insert({
        state_hash: consent.stateHash,
        mailbox_id: consent.mailboxId,
        code_verifier_encrypted: consent.codeVerifierEncrypted,
        redirect_uri: consent.redirectUri,
        operator_id: consent.operatorId,
        return_to: consent.returnTo,
        expires_at: new Date(consent.expiresAt),
        created_at: now
      })
    },

    /**
     * The consent with this state, removed in the same step: a conditional DELETE decides which of two callbacks
     * racing with the same state gets it. Null when unknown, already taken or expired.
     */
    async take(stateHash: string, now: Date = new Date()): Promise<PendingConsent | null> {
      const row: Row | undefined = await db(PENDING).first('*').where('state_hash', stateHash)
      if (!row) return null
      const deleted = await db(PENDING).where('state_hash', stateHash).andWhere('expires_at', '>', now).delete()
      if (deleted !== 1) return null
      return {
        stateHash,
        mailboxId: toId(row.mailbox_id),
        codeVerifierEncrypted: String(row.code_verifier_encrypted),
        redirectUri: String(row.redirect_uri),
        operatorId: String(row.operator_id),
        returnTo: toStr(row.return_to),
        expiresAt: toIso(row.expires_at) ?? ''
      }
    },

    /** Drops consents nobody finished; returns how many. */
    async deleteExpired(now: Date = new Date()): Promise<number> {
      return db(PENDING).where('expires_at', '<=', now).delete()
    }
  }
}

export type OAuthConsentRepository = ReturnType<typeof createOAuthConsentRepository>
