// A real OAuth2 / OpenID Connect provider for tests (the `oidc-provider` package), on 127.0.0.1 and a free port.
//
// One confidential client for the module (authorization_code with PKCE S256, refresh_token, client_secret_basic or
// _post), and one resource-server client that Dovecot and the SMTP server use to introspect access tokens.
// devInteractions serve the login page (any login, any password: the login becomes the account id) and the consent
// page. Access tokens are opaque, carry `username` (the account id) for Dovecot's `username_attribute`, and live
// `accessTokenTtlSeconds` (changeable while running, for a token that expires during IDLE).
import type { Server } from 'node:http'
import Provider from 'oidc-provider'
import { freePort } from './free-port.js'

export const OAUTH_HOST = '127.0.0.1'

export interface StartOAuthProviderOptions {
  t?: { teardown(fn: () => unknown): void }
  /** Where the module's callback route is, e.g. `http://127.0.0.1:1234/api/oauth/callback` (more may be added). */
  redirectUris: string[]
  /** Access token lifetime in seconds (default 3600). */
  accessTokenTtlSeconds?: number
}

export interface OAuthTestProvider {
  /** The issuer URL (OpenID discovery at `<issuer>/.well-known/openid-configuration`). */
  readonly issuer: string
  readonly clientId: string
  readonly clientSecret: string
  /** The resource server's credentials (Dovecot, SMTP) for the introspection endpoint. */
  readonly introspector: { clientId: string; clientSecret: string }
  readonly introspectionUrl: string
  readonly tokenUrl: string
  /** Changes the lifetime of access tokens issued from now on. */
  setAccessTokenTtl(seconds: number): void
  /** Introspects a token as the resource server does. */
  introspect(token: string): Promise<{ active: boolean; username?: string; client_id?: string; scope?: string; exp?: number }>
  /** How many access tokens were issued (by the code and refresh grants), per account. */
  issuedAccessTokens(accountId: string): number
  /** The `active` answer of every introspection (Dovecot's and the SMTP server's), in order. */
  readonly introspections: boolean[]
  /** Revokes the access tokens issued to an account so far, keeping its grant (a refresh still works). */
  revokeAccessTokens(accountId: string): Promise<number>
  /** Revokes every refresh token issued to an account (and, through its grant, its access tokens). */
  revokeAccount(accountId: string): Promise<number>
  /** Drives the login and consent pages without a browser: follows `authorizationUrl` to the redirect URI. */
  consent(authorizationUrl: string, login: string): Promise<URL>
  stop(): Promise<void>
}

export async function startOAuthProvider(options: StartOAuthProviderOptions): Promise<OAuthTestProvider> {
  const port = await freePort(OAUTH_HOST)
  const issuer = `http://${OAUTH_HOST}:${port}`
  let ttl = options.accessTokenTtlSeconds ?? 3600
  const client = { clientId: 'trc-module', clientSecret: 'module-client-secret-7d1c9a' }
  const introspector = { clientId: 'mail-servers', clientSecret: 'resource-server-secret-42f0' }
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: client.clientId,
        client_secret: client.clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post'
      },
      {
        client_id: introspector.clientId,
        client_secret: introspector.clientSecret,
        redirect_uris: [],
        grant_types: [],
        response_types: [],
        token_endpoint_auth_method: 'client_secret_basic'
      }
    ],
    scopes: ['openid', 'offline_access', 'email', 'mail'],
    pkce: { required: () => true },
    features: {
      // only the mail servers (and a client about its own tokens) may introspect
      introspection: {
        enabled: true,
        allowedPolicy: (_ctx: unknown, caller: { clientId: string }, token: { clientId?: string }) =>
          caller.clientId === introspector.clientId || token.clientId === caller.clientId
      },
      revocation: { enabled: true },
      devInteractions: { enabled: true }
    },
    ttl: { AccessToken: () => ttl, RefreshToken: 30 * 24 * 3600, Grant: 30 * 24 * 3600, Session: 3600, Interaction: 600, IdToken: 3600 },
    extraTokenClaims: (_ctx: unknown, token: { accountId?: string }) => (token.accountId ? { username: token.accountId } : undefined),
    cookies: { keys: ['test-cookie-key-0123456789abcdef'] },
    findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub, email: sub }) })
  })
  const refreshTokens = new Map<string, Set<string>>()
  const accessTokens = new Map<string, number>()
  const accessTokenValues = new Map<string, string[]>()
  const introspections: boolean[] = []
  provider.use(async (ctx, next) => {
    await next()
    if (ctx.path === '/token/introspection' && ctx.status === 200) introspections.push((ctx.body as { active?: boolean }).active === true)
  })
  provider.on('refresh_token.saved', (token) => {
    if (!token.accountId) return
    const set = refreshTokens.get(token.accountId) ?? new Set<string>()
    set.add(token.jti)
    refreshTokens.set(token.accountId, set)
  })
  provider.on('access_token.saved', (token) => {
    if (!token.accountId) return
    accessTokens.set(token.accountId, (accessTokens.get(token.accountId) ?? 0) + 1)
    accessTokenValues.set(token.accountId, [...(accessTokenValues.get(token.accountId) ?? []), token.jti])
  })
  const server = await new Promise<Server>((resolve) => {
    const s = provider.listen(port, OAUTH_HOST, () => resolve(s))
  })
  const basic = `Basic ${Buffer.from(`${introspector.clientId}:${introspector.clientSecret}`).toString('base64')}`

  const instance: OAuthTestProvider = {
    issuer,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    introspector,
    introspectionUrl: `${issuer}/token/introspection`,
    tokenUrl: `${issuer}/token`,
    setAccessTokenTtl(seconds) {
      ttl = seconds
    },
    async introspect(token) {
      const res = await fetch(`${issuer}/token/introspection`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token })
      })
      return (await res.json()) as Awaited<ReturnType<OAuthTestProvider['introspect']>>
    },
    issuedAccessTokens(accountId) {
      return accessTokens.get(accountId) ?? 0
    },
    introspections,
    async revokeAccessTokens(accountId) {
      let count = 0
      for (const token of accessTokenValues.get(accountId) ?? []) {
        const res = await fetch(`${issuer}/token/revocation`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ token, token_type_hint: 'access_token', client_id: client.clientId, client_secret: client.clientSecret })
        })
        if (res.ok) count++
      }
      accessTokenValues.delete(accountId)
      return count
    },
    async revokeAccount(accountId) {
      let count = 0
      for (const token of refreshTokens.get(accountId) ?? []) {
        const res = await fetch(`${issuer}/token/revocation`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ token, token_type_hint: 'refresh_token', client_id: client.clientId, client_secret: client.clientSecret })
        })
        if (res.ok) count++
      }
      refreshTokens.delete(accountId)
      return count
    },
    consent: (authorizationUrl, login) => driveConsent(authorizationUrl, login, issuer),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
  server.keepAliveTimeout = 1000
  options.t?.teardown(async () => {
    server.closeAllConnections()
    await instance.stop()
  })
  return instance
}

/** A minimal cookie jar over fetch: follows redirects by hand until one leaves the provider. */
async function driveConsent(authorizationUrl: string, login: string, issuer: string): Promise<URL> {
  const cookies = new Map<string, string>()
  const remember = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';')
      const eq = pair.indexOf('=')
      if (eq > 0) cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1))
    }
  }
  const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  let url = new URL(authorizationUrl)
  let body: URLSearchParams | null = null
  for (let hop = 0; hop < 20; hop++) {
    if (url.origin !== new URL(issuer).origin) return url
    const res: Response = await fetch(url, {
      method: body ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: cookieHeader(), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(body ? { body } : {})
    })
    remember(res)
    body = null
    const location = res.headers.get('location')
    if (location) {
      url = new URL(location, url)
      continue
    }
    const html = await res.text()
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1]
    if (!action) throw new Error(`consent: no form and no redirect at ${url.href} (${res.status}): ${html.slice(0, 300)}`)
    url = new URL(action.replace(/&amp;/g, '&'), url)
    body = html.includes('name="login"') ? new URLSearchParams({ prompt: 'login', login, password: 'any' }) : new URLSearchParams({ prompt: 'consent' })
  }
  throw new Error('consent: too many redirects')
}
