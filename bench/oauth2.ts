// IDLE arrival-to-stored latency with an OAuth2 mailbox (issue 10 §2): oidc-provider and Dovecot's oauth2 passdb
// on loopback, the mailbox connected through the consent flow, access tokens living 5 s so they expire (and are
// refreshed at the reconnect after a Dovecot restart halfway) while the watcher IDLEs.
import type { IngestResult } from '../src/mail/ingest/index.js'
import { startDovecot } from '../test/helpers/dovecot.js'
import { auth, startTestHost } from '../test/helpers/host.js'
import { startOAuthProvider } from '../test/helpers/oauth-provider.js'
import { idleLatency } from './inbound.js'

const REDIRECT = 'http://127.0.0.1:9/api/communications/oauth/callback'
const USER = 'oauth@bench.test'

export async function benchOAuth2(samples: number): Promise<Record<string, number>> {
  const teardown: Array<() => unknown> = []
  const t = { teardown: (fn: () => unknown) => teardown.push(fn) }
  const arrived = new Map<number, number>()
  try {
    const provider = await startOAuthProvider({ t, redirectUris: [REDIRECT], accessTokenTtlSeconds: 5 })
    const dovecot = await startDovecot({ t, users: { [USER]: 'pw' }, oauth2: { introspectionUrl: provider.introspectionUrl, ...provider.introspector } })
    const host = await startTestHost({
      mail: { from: 'tari@bench.test', oauthRedirectUrl: REDIRECT, backoff: { baseMs: 100, maxMs: 500 } },
      hooks: { onIngested: (r: IngestResult) => r.messageId && arrived.set(arrived.size, performance.now()) }
    } as never)
    teardown.push(() => host.close())
    const api = (method: 'GET' | 'POST', url: string, payload?: object) =>
      host.app.inject({ method, url: `/api/communications${url}`, headers: auth('demo-admin'), ...(payload ? { payload } : {}) })
    const oauth = { provider: 'issuer', issuer: provider.issuer, clientId: provider.clientId, clientSecret: provider.clientSecret }
    const id = (await api('POST', '/mailboxes', { name: 'OAuth2 bench', host: '127.0.0.1', port: dovecot.port, username: USER, oauth })).json().id
    const started = await api('POST', `/mailboxes/${id}/oauth/start`)
    const back = await provider.consent(started.json().authorizationUrl, USER)
    await api('GET', `/oauth/callback${back.search}`)
    const first = await idleLatency(host, dovecot, USER, Math.ceil(samples / 2), arrived)
    await dovecot.restart()
    const second = await idleLatency(host, dovecot, USER, Math.floor(samples / 2), arrived)
    return {
      samples,
      p50MsBeforeRestart: first.p50Ms as number,
      p95MsBeforeRestart: first.p95Ms as number,
      p50MsAfterRefresh: second.p50Ms as number,
      p95MsAfterRefresh: second.p95Ms as number,
      maxMs: Math.max(first.maxMs as number, second.maxMs as number),
      accessTokensIssued: provider.issuedAccessTokens(USER),
      refusedTokens: provider.introspections.filter((active) => !active).length
    }
  } finally {
    for (const fn of teardown.reverse()) await fn()
  }
}
