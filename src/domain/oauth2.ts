// OAuth2 for mailboxes, the pure part: which endpoints a provider has, which scopes a mailbox asks for, PKCE
// (RFC 7636, S256 only) and the authorization URL. No I/O: discovery and token calls are in src/mail/oauth2.ts.
import { createHash } from 'node:crypto'

export type OAuthProviderKind = 'microsoft' | 'google' | 'issuer'

/** How a mailbox signs in with OAuth2 (its client secret and refresh token are stored apart, encrypted). */
export interface OAuthProviderSettings {
  provider: OAuthProviderKind
  /** Microsoft 365: the directory (tenant) id or domain; never `common`, `organizations` or `consumers`. */
  tenant: string | null
  /** Any other provider: its issuer URL (OpenID discovery at `<issuer>/.well-known/openid-configuration`). */
  issuer: string | null
  clientId: string
  /** null: the provider's defaults (defaultScopes). */
  scopes: string[] | null
}

export interface OAuthEndpoints {
  authorizationEndpoint: string
  tokenEndpoint: string
  revocationEndpoint: string | null
}

/** Microsoft's multi-tenant aliases: a mailbox of one organisation signs in at its own tenant. */
const MULTI_TENANT = new Set(['common', 'organizations', 'consumers'])
const TENANT = /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/

export function assertTenant(tenant: string | null): string {
  const value = (tenant ?? '').trim()
  if (!TENANT.test(value) || MULTI_TENANT.has(value.toLowerCase())) throw new Error(`not a tenant-specific Microsoft directory: "${value}"`)
  return value
}

/** The endpoints that need no discovery (Microsoft 365, Google); null for an issuer URL. */
export function staticEndpoints(settings: Pick<OAuthProviderSettings, 'provider' | 'tenant'>): OAuthEndpoints | null {
  if (settings.provider === 'microsoft') {
    const base = `https://login.microsoftonline.com/${encodeURIComponent(assertTenant(settings.tenant))}/oauth2/v2.0`
    return { authorizationEndpoint: `${base}/authorize`, tokenEndpoint: `${base}/token`, revocationEndpoint: null }
  }
  if (settings.provider === 'google') {
    return {
      authorizationEndpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenEndpoint: 'https://oauth2.googleapis.com/token',
      revocationEndpoint: 'https://oauth2.googleapis.com/revoke'
    }
  }
  return null
}

/** `<issuer>/.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §4). */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`
}

/** IMAP and SMTP for the mailbox, and a refresh token (offline access). */
export function defaultScopes(provider: OAuthProviderKind): string[] {
  if (provider === 'microsoft') return ['https://outlook.office.com/IMAP.AccessAsUser.All', 'https://outlook.office.com/SMTP.Send', 'offline_access']
  if (provider === 'google') return ['https://mail.google.com/']
  return ['openid', 'offline_access']
}

export function scopesOf(settings: Pick<OAuthProviderSettings, 'provider' | 'scopes'>): string[] {
  return settings.scopes && settings.scopes.length > 0 ? settings.scopes : defaultScopes(settings.provider)
}

/** The PKCE S256 challenge of a code verifier (43–128 characters of [A-Za-z0-9-._~]). */
export function pkceChallenge(verifier: string): string {
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) throw new Error('PKCE: the code verifier must be 43-128 unreserved characters')
  return createHash('sha256').update(verifier, 'ascii').digest('base64url')
}

/**
 * Where the administrator's browser goes to consent. Every provider gets `prompt=consent`, so a refresh token is
 * issued again on a reconnect (Google and OpenID providers issue offline access only with it); Google also needs
 * `access_type=offline`. `login_hint` pre-fills the account.
 */
export function authorizationUrl(
  endpoints: Pick<OAuthEndpoints, 'authorizationEndpoint'>,
  request: {
    provider: OAuthProviderKind
    clientId: string
    redirectUri: string
    scopes: string[]
    state: string
    codeVerifier: string
    loginHint?: string | null
  }
): string {
  const url = new URL(endpoints.authorizationEndpoint)
  const params: Record<string, string> = {
    client_id: request.clientId,
    response_type: 'code',
    redirect_uri: request.redirectUri,
    scope: request.scopes.join(' '),
    state: request.state,
    code_challenge: pkceChallenge(request.codeVerifier),
    code_challenge_method: 'S256',
    prompt: 'consent'
  }
  if (request.provider === 'google') params.access_type = 'offline'
  if (request.loginHint) params.login_hint = request.loginHint
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value)
  return url.href
}

/**
 * When to refresh an access token that expires at `expiresAt`: a minute before, or a quarter of its lifetime
 * before when that is shorter (short-lived tokens would otherwise never be used).
 */
export function refreshDue(issuedAt: number, expiresAt: number, now: number): boolean {
  const margin = Math.min(60_000, (expiresAt - issuedAt) / 4)
  return now >= expiresAt - margin
}
