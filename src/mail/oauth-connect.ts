// Connecting an OAuth2 mailbox: an administrator starts the authorization-code flow with PKCE (state and code
// verifier stay on the server, single use, for ten minutes), the provider sends the browser back to the callback,
// which trades the code for a refresh token (encrypted at rest) and restarts the mailbox's watcher.
import { createHash, randomBytes } from 'node:crypto'
import { decryptSecret, encryptSecret } from '../crypto.js'
import { authorizationUrl, scopesOf } from '../domain/oauth2.js'
import { HttpError, notFound } from '../http-errors.js'
import type { Repositories } from '../repositories/index.js'
import type { MailboxRecord } from '../repositories/mailboxes.js'
import type { Operator } from '../types.js'
import { OAuthGrantError, OAuthTokenError, providerSettings, type OAuthTokens } from './oauth2.js'

const CONSENT_TTL_MS = 10 * 60_000

export interface OAuthConnectDeps {
  repos: Pick<Repositories, 'mailboxes' | 'oauthConsents' | 'audit'>
  secret: string
  tokens: Pick<OAuthTokens, 'endpoints' | 'exchangeCode'>
  /** Restarts the mailbox's watcher with the new grant. */
  restart(mailboxId: number): Promise<void>
  now?: () => number
}

export interface CallbackQuery {
  code?: string
  state?: string
  error?: string
  error_description?: string
}

const hashState = (state: string) => createHash('sha256').update(state, 'utf8').digest('hex')

function providerFailure(err: unknown, mb: MailboxRecord): never {
  if (err instanceof OAuthTokenError) throw new HttpError(502, 'oauthTokenFailed', { mailbox: mb.name, endpoint: err.endpoint, detail: err.message })
  if (err instanceof OAuthGrantError) throw new HttpError(400, 'oauthConsentRefused', { detail: err.message })
  throw err
}

export function createOAuthConnect(deps: OAuthConnectDeps) {
  const now = deps.now ?? Date.now

  return {
    /** Where to send the administrator's browser; `returnTo` (a path on the host) is where it comes back to. */
    async start(
      mailboxId: number,
      operator: Operator,
      redirectUri: string,
      returnTo: string | null = null
    ): Promise<{ authorizationUrl: string; expiresAt: string }> {
      const mb = await deps.repos.mailboxes.findById(mailboxId)
      if (!mb) throw notFound('mailboxNotFound', { id: mailboxId })
      if (mb.authMethod !== 'oauth2' || !mb.oauthClientId) throw new HttpError(409, 'oauthNotConfigured', { id: mailboxId })
      const endpoints = await deps.tokens.endpoints(mb).catch((err: unknown) => providerFailure(err, mb))
      const state = randomBytes(32).toString('base64url')
      const codeVerifier = randomBytes(48).toString('base64url')
      const expiresAt = new Date(now() + CONSENT_TTL_MS).toISOString()
      await deps.repos.oauthConsents.deleteExpired(new Date(now()))
      await deps.repos.oauthConsents.insert(
        {
          stateHash: hashState(state),
          mailboxId,
          codeVerifierEncrypted: encryptSecret(codeVerifier, deps.secret),
          redirectUri,
          operatorId: operator.id,
          returnTo,
          expiresAt
        },
        new Date(now())
      )
      const settings = providerSettings(mb)
      const url = authorizationUrl(endpoints, {
        provider: settings.provider,
        clientId: settings.clientId,
        redirectUri,
        scopes: scopesOf(settings),
        state,
        codeVerifier,
        loginHint: mb.oauthDelegate ?? mb.username
      })
      return { authorizationUrl: url, expiresAt }
    },

    /** The provider's redirect: the state must be one this module issued to the same administrator, unused and fresh. */
    async finish(query: CallbackQuery, operator: Operator): Promise<{ mailboxId: number; name: string; returnTo: string | null }> {
      const pending = query.state ? await deps.repos.oauthConsents.take(hashState(query.state), new Date(now())) : null
      if (!pending || pending.operatorId !== operator.id) throw new HttpError(400, 'oauthStateInvalid')
      if (query.error || !query.code)
        throw new HttpError(400, 'oauthConsentRefused', { detail: [query.error, query.error_description].filter(Boolean).join(': ') || 'no code' })
      const mb = await deps.repos.mailboxes.findById(pending.mailboxId)
      if (!mb) throw notFound('mailboxNotFound', { id: pending.mailboxId })
      await deps.tokens
        .exchangeCode(mb, query.code, decryptSecret(pending.codeVerifierEncrypted, deps.secret), pending.redirectUri)
        .catch((err: unknown) => providerFailure(err, mb))
      await deps.repos.audit.record({
        actorType: 'operator',
        actorId: operator.id,
        actorName: operator.name,
        action: 'mailbox.oauthConnected',
        details: { mailboxId: mb.id, provider: mb.oauthProvider }
      })
      await deps.restart(mb.id)
      return { mailboxId: mb.id, name: mb.name, returnTo: pending.returnTo }
    }
  }
}

export type OAuthConnect = ReturnType<typeof createOAuthConnect>
