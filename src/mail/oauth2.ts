// OAuth2 tokens for mailboxes: the provider's endpoints (fixed for Microsoft 365 and Google, OpenID discovery for
// an issuer URL), the authorization-code exchange, and access tokens kept in memory and refreshed before they
// expire or when a server refused one. The refresh token (rotated when the provider sends a new one) and the client
// secret are stored encrypted and never logged: errors carry the provider's error code and description only.
import { decryptSecret, encryptSecret } from '../crypto.js'
import { discoveryUrl, refreshDue, scopesOf, staticEndpoints, type OAuthEndpoints, type OAuthProviderSettings } from '../domain/oauth2.js'
import type { MailboxRecord, MailboxRepository } from '../repositories/mailboxes.js'

/** The provider refused the grant (`invalid_grant`: revoked, expired, password changed) or the client itself: only a new consent helps. */
export class OAuthGrantError extends Error {
  constructor(
    readonly code: string,
    readonly description: string
  ) {
    super(description ? `${code}: ${description}` : code)
    this.name = 'OAuthGrantError'
  }
}

/** The token endpoint could not be reached or answered something else: worth trying again later. */
export class OAuthTokenError extends Error {
  constructor(
    message: string,
    readonly endpoint: string
  ) {
    super(message)
    this.name = 'OAuthTokenError'
  }
}

/** The mailbox uses OAuth2 but no administrator has consented yet. */
export class OAuthNotConnectedError extends Error {
  constructor() {
    super('the mailbox has no OAuth2 grant yet')
    this.name = 'OAuthNotConnectedError'
  }
}

/** A token failure in words for health: `grantLost` when only a new consent helps (the mailbox is `auth-failed`). */
export function describeTokenError(
  err: unknown,
  mb: Pick<MailboxRecord, 'name'>
): { key: 'oauthGrantInvalid' | 'oauthNotConnected' | 'oauthTokenFailed'; params: Record<string, string>; grantLost: boolean } | null {
  if (err instanceof OAuthGrantError) return { key: 'oauthGrantInvalid', params: { mailbox: mb.name, detail: err.message }, grantLost: true }
  if (err instanceof OAuthNotConnectedError) return { key: 'oauthNotConnected', params: { mailbox: mb.name }, grantLost: true }
  if (err instanceof OAuthTokenError)
    return { key: 'oauthTokenFailed', params: { mailbox: mb.name, endpoint: err.endpoint, detail: err.message }, grantLost: false }
  return null
}

const GRANT_ERRORS = new Set(['invalid_grant', 'invalid_client', 'unauthorized_client'])
const TIMEOUT_MS = 15_000

interface TokenResponse {
  access_token?: string
  refresh_token?: string
  expires_in?: number
  error?: string
  error_description?: string
}

interface CachedToken {
  token: string
  issuedAt: number
  expiresAt: number
}

export interface OAuthTokenDeps {
  mailboxes: Pick<MailboxRepository, 'findById' | 'update'>
  secret: string
  now?: () => number
}

export function providerSettings(mb: MailboxRecord): OAuthProviderSettings {
  return {
    provider: mb.oauthProvider ?? 'issuer',
    tenant: mb.oauthTenant,
    issuer: mb.oauthIssuer,
    clientId: mb.oauthClientId ?? '',
    scopes: mb.oauthScopes ? mb.oauthScopes.split(' ').filter(Boolean) : null
  }
}

export function createOAuthTokens(deps: OAuthTokenDeps) {
  const now = deps.now ?? Date.now
  const cache = new Map<number, CachedToken>()
  const inflight = new Map<number, Promise<string>>()
  const discovered = new Map<string, OAuthEndpoints>()

  async function endpoints(mb: MailboxRecord): Promise<OAuthEndpoints> {
    const settings = providerSettings(mb)
    const fixed = staticEndpoints(settings)
    if (fixed) return fixed
    const issuer = settings.issuer ?? ''
    const known = discovered.get(issuer)
    if (known) return known
    const url = discoveryUrl(issuer)
    const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) }).catch((err: Error) => {
      throw new OAuthTokenError(err.message, url)
    })
    const doc = (await res.json().catch(() => ({}))) as { authorization_endpoint?: string; token_endpoint?: string; revocation_endpoint?: string }
    if (!res.ok || !doc.authorization_endpoint || !doc.token_endpoint) throw new OAuthTokenError(`OpenID discovery answered ${res.status}`, url)
    const found = { authorizationEndpoint: doc.authorization_endpoint, tokenEndpoint: doc.token_endpoint, revocationEndpoint: doc.revocation_endpoint ?? null }
    discovered.set(issuer, found)
    return found
  }

  /** One call to the token endpoint with the client's credentials in the body (client_secret_post). */
  async function tokenRequest(mb: MailboxRecord, params: Record<string, string>): Promise<Required<Pick<TokenResponse, 'access_token'>> & TokenResponse> {
    const { tokenEndpoint } = await endpoints(mb)
    const body = new URLSearchParams({ ...params, client_id: mb.oauthClientId ?? '' })
    if (mb.oauthClientSecretEncrypted) body.set('client_secret', decryptSecret(mb.oauthClientSecretEncrypted, deps.secret))
    const res = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS)
    }).catch((err: Error) => {
      throw new OAuthTokenError(err.message, tokenEndpoint)
    })
    const json = (await res.json().catch(() => ({}))) as TokenResponse
    if (res.ok && typeof json.access_token === 'string') return { ...json, access_token: json.access_token }
    const description = typeof json.error_description === 'string' ? json.error_description.slice(0, 300) : ''
    if (typeof json.error === 'string' && GRANT_ERRORS.has(json.error)) throw new OAuthGrantError(json.error, description)
    throw new OAuthTokenError(`${res.status} ${json.error ?? ''} ${description}`.trim(), tokenEndpoint)
  }

  function remember(mb: MailboxRecord, response: TokenResponse & { access_token: string }): string {
    const issuedAt = now()
    // without expires_in, an hour: what Microsoft and Google issue
    const lifetime = typeof response.expires_in === 'number' && response.expires_in > 0 ? response.expires_in * 1000 : 3_600_000
    cache.set(mb.id, { token: response.access_token, issuedAt, expiresAt: issuedAt + lifetime })
    return response.access_token
  }

  async function refresh(mailboxId: number): Promise<string> {
    const mb = await deps.mailboxes.findById(mailboxId)
    if (!mb?.oauthRefreshTokenEncrypted) throw new OAuthNotConnectedError()
    const response = await tokenRequest(mb, {
      grant_type: 'refresh_token',
      refresh_token: decryptSecret(mb.oauthRefreshTokenEncrypted, deps.secret),
      scope: scopesOf(providerSettings(mb)).join(' ')
    })
    if (response.refresh_token) {
      // rotated (Microsoft does, oidc-provider near expiry): the old one may stop working at once
      await deps.mailboxes.update(mailboxId, { oauthRefreshTokenEncrypted: encryptSecret(response.refresh_token, deps.secret) })
    }
    return remember(mb, response)
  }

  return {
    endpoints,

    /**
     * An access token for the mailbox: the cached one while it is not due for refresh, else a fresh one; `renew`
     * after a server refused the cached one. Concurrent callers share one refresh (rotation makes a second
     * refresh with the same refresh token fail).
     */
    async accessToken(mailboxId: number, renew = false): Promise<string> {
      const running = inflight.get(mailboxId)
      if (running) return running
      const cached = cache.get(mailboxId)
      if (cached && !renew && !refreshDue(cached.issuedAt, cached.expiresAt, now())) return cached.token
      const request = refresh(mailboxId).finally(() => inflight.delete(mailboxId))
      inflight.set(mailboxId, request)
      return request
    },

    /** The callback's half of the consent: the code and PKCE verifier for tokens; stores the refresh token. */
    async exchangeCode(mb: MailboxRecord, code: string, codeVerifier: string, redirectUri: string): Promise<void> {
      const response = await tokenRequest(mb, { grant_type: 'authorization_code', code, code_verifier: codeVerifier, redirect_uri: redirectUri })
      if (!response.refresh_token) throw new OAuthGrantError('no_refresh_token', 'the provider issued no refresh token (offline access not granted)')
      const grant = encryptSecret(response.refresh_token, deps.secret)
      await deps.mailboxes.update(mb.id, { oauthRefreshTokenEncrypted: grant, oauthConnectedAt: new Date(now()).toISOString() })
      remember(mb, response)
    },

    /** Drops the cached token (the mailbox was changed or removed). */
    forget(mailboxId: number): void {
      cache.delete(mailboxId)
    }
  }
}

export type OAuthTokens = ReturnType<typeof createOAuthTokens>
