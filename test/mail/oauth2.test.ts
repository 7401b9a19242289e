// OAuth2 mailboxes against real servers on loopback: oidc-provider (code + PKCE, refresh, introspection,
// revocation), Dovecot's oauth2 passdb and smtp-server's XOAUTH2, both introspecting at that provider.
// Consent (driven over HTTP here; in Chromium in test/ui/oauth2-consent.test.ts), expiry during IDLE, a revoked
// grant next to a password mailbox, SMTP through XOAUTH2 as a shared mailbox's delegate, secrets never returned.
import t, { type Test } from 'tap'
import { decryptSecret } from '../../src/crypto.js'
import { startDovecot, type DovecotInstance } from '../helpers/dovecot.js'
import { auth, startTestHost, TEST_SECRET, type TestHost } from '../helpers/host.js'
import { buildMail } from '../helpers/mail.js'
import { startOAuthProvider, type OAuthTestProvider } from '../helpers/oauth-provider.js'
import { startSmtpServer, type SmtpTestServer } from '../helpers/smtp.js'
import { waitFor } from '../helpers/wait.js'

const API = '/api/communications'
const REDIRECT = 'http://127.0.0.1:9/api/communications/oauth/callback'
const OFFICE = 'ufficio@comune.test'
const TARI = 'tari@comune.test'
const fast = { leaseTtlMs: 1_500, backoff: { baseMs: 100, maxMs: 500 } }

interface World {
  provider: OAuthTestProvider
  dovecot: DovecotInstance
  smtp: SmtpTestServer
  host: TestHost
  api(method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object): Promise<Awaited<ReturnType<TestHost['app']['inject']>>>
}

async function world(t: Test, { ttl = 3600, startWorkers = true } = {}): Promise<World> {
  const provider = await startOAuthProvider({ t, redirectUris: [REDIRECT], accessTokenTtlSeconds: ttl })
  const dovecot = await startDovecot({
    t,
    users: { [OFFICE]: 'not-used-with-tokens', [TARI]: 'Tari#2026', 'reclami@comune.test': 'x' },
    oauth2: { introspectionUrl: provider.introspectionUrl, ...provider.introspector }
  })
  const smtp = await startSmtpServer({ t, oauth2: { introspect: (token) => provider.introspect(token) } })
  const host = await startTestHost({ mail: { from: 'tari@comune.test', startWorkers, oauthRedirectUrl: REDIRECT, ...fast } })
  t.teardown(() => host.close())
  const api: World['api'] = (method, url, payload) =>
    host.app.inject({ method, url: `${API}${url}`, headers: auth('demo-admin'), ...(payload ? { payload } : {}) })
  return { provider, dovecot, smtp, host, api }
}

function oauthMailbox(w: World, username: string, extra: Record<string, unknown> = {}) {
  return {
    name: `OAuth ${username}`,
    host: '127.0.0.1',
    port: w.dovecot.port,
    username,
    fromAddress: username,
    oauth: {
      provider: 'issuer',
      issuer: w.provider.issuer,
      clientId: w.provider.clientId,
      clientSecret: w.provider.clientSecret,
      scopes: ['openid', 'offline_access', 'mail']
    },
    ...extra
  }
}

/** The admin's whole connect flow: start, the provider's login and consent pages, the callback. */
async function connect(w: World, mailboxId: number, login: string) {
  const started = await w.api('POST', `/mailboxes/${mailboxId}/oauth/start`)
  const back = await w.provider.consent(started.json().authorizationUrl, login)
  const callback = await w.api('GET', `/oauth/callback${back.search}`)
  return { started, back, callback }
}

const mailboxHealth = async (w: World, id: number, lang = 'it') =>
  ((await w.api('GET', `/health?lang=${lang}`)).json().mailboxes as Array<{ id: number; state: string; lastError: string | null; action: unknown }>).find(
    (m) => m.id === id
  )
const waitState = (w: World, id: number, state: string) =>
  waitFor(
    () => mailboxHealth(w, id),
    (m) => m?.state === state,
    15_000,
    `mailbox ${id} ${state}`
  )
const subjects = async (w: World, mailboxId: number) =>
  (await w.host.knex('trc_messages').where({ direction: 'inbound', mailbox_id: mailboxId }).orderBy('id').select('subject')).map((r) => r.subject as string)

async function deliver(w: World, user: string, subject: string) {
  const raw = await buildMail({
    from: 'Mario Rossi <mario.rossi@example.test>',
    to: user,
    subject,
    text: 'Il cassonetto è rotto.',
    messageId: `<${subject.replace(/\W/g, '')}@example.test>`
  })
  await w.dovecot.deliver(user, raw, { from: 'mario.rossi@example.test', recipient: user })
}

t.test('connect over the consent flow: the mailbox then ingests; secrets never come back from any route', async (t) => {
  const w = await world(t)
  const created = await w.api('POST', '/mailboxes', oauthMailbox(w, OFFICE))
  t.equal(created.statusCode, 201)
  const id = created.json().id as number
  t.same(created.json().oauth, {
    provider: 'issuer',
    tenant: null,
    issuer: w.provider.issuer,
    clientId: 'trc-module',
    scopes: ['openid', 'offline_access', 'mail'],
    delegate: null,
    hasClientSecret: true,
    connected: false,
    connectedAt: null
  })
  t.equal(created.json().authMethod, 'oauth2')
  t.equal(created.json().hasPassword, false)
  const waiting = await waitState(w, id, 'auth-failed')
  t.equal(waiting?.lastError, `La casella "OAuth ${OFFICE}" usa OAuth2 ma non è ancora collegata: un amministratore deve autorizzarla.`)

  const { started, back, callback } = await connect(w, id, OFFICE)
  const url = new URL(started.json().authorizationUrl)
  t.equal(url.origin + url.pathname, `${w.provider.issuer}/auth`)
  t.same(
    { ...Object.fromEntries(url.searchParams), state: 'S', code_challenge: 'C' },
    {
      client_id: 'trc-module',
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'openid offline_access mail',
      state: 'S',
      code_challenge: 'C',
      code_challenge_method: 'S256',
      prompt: 'consent',
      login_hint: OFFICE
    }
  )
  t.match(url.searchParams.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/)
  t.equal(callback.statusCode, 200)
  t.same(callback.json(), {
    mailboxId: id,
    name: `OAuth ${OFFICE}`,
    message: `Casella "OAuth ${OFFICE}" collegata con OAuth2: la lettura della posta riprende.`,
    returnTo: null
  })
  const again = await w.api('GET', `/oauth/callback${back.search}`)
  t.equal(again.statusCode, 400, 'a state is good once')
  t.equal(again.json().message, 'Richiesta di autorizzazione sconosciuta, già usata o scaduta: avvia di nuovo il collegamento della casella.')
  const english = await w.api('GET', `/oauth/callback${back.search}&lang=en`)
  t.equal(english.json().message, 'Unknown, already used or expired authorization request: start connecting the mailbox again.')

  await waitState(w, id, 'idle')
  await deliver(w, OFFICE, 'Cassonetto rotto via Roma')
  await waitFor(
    () => subjects(w, id),
    (s) => s.length === 1,
    15_000,
    'the mail stored'
  )
  t.same(await subjects(w, id), ['Cassonetto rotto via Roma'])

  const row = await w.host.knex('trc_mailboxes').first('*').where({ id })
  const refreshToken = decryptSecret(row.oauth_refresh_token_encrypted, TEST_SECRET)
  t.equal(decryptSecret(row.oauth_client_secret_encrypted, TEST_SECRET), w.provider.clientSecret)
  t.not(row.oauth_client_secret_encrypted.includes(w.provider.clientSecret), true, 'the secret is stored encrypted')
  t.match(row.oauth_refresh_token_encrypted, /^v1:/)
  for (const route of ['/mailboxes', `/mailboxes/${id}`, '/health']) {
    const body = (await w.api('GET', route)).body
    t.equal(body.includes(w.provider.clientSecret), false, `${route}: no client secret`)
    t.equal(body.includes(refreshToken), false, `${route}: no refresh token`)
    t.equal(/encrypted|refresh_?token|"clientSecret"/i.test(body), false, `${route}: no secret fields`)
  }
  t.equal((await w.api('POST', `/mailboxes/${id}/test`)).json().ok, true, 'the connection test signs in with a token too')
})

t.test('a token that expires while the watcher IDLEs: mail keeps coming, the reconnect refreshes it first', async (t) => {
  const w = await world(t, { ttl: 6 })
  const id = (await w.api('POST', '/mailboxes', oauthMailbox(w, OFFICE))).json().id as number
  await connect(w, id, OFFICE)
  await waitState(w, id, 'idle')
  t.equal(w.provider.issuedAccessTokens(OFFICE), 1)
  await new Promise((resolve) => setTimeout(resolve, 6_500))
  await deliver(w, OFFICE, 'Dopo la scadenza del token')
  await waitFor(
    () => subjects(w, id),
    (s) => s.length === 1,
    15_000,
    'mail during IDLE'
  )
  await w.dovecot.restart()
  await deliver(w, OFFICE, 'Dopo la riconnessione')
  await waitFor(
    () => subjects(w, id),
    (s) => s.length === 2,
    15_000,
    'mail after the reconnect'
  )
  t.same(await subjects(w, id), ['Dopo la scadenza del token', 'Dopo la riconnessione'])
  t.equal(w.provider.issuedAccessTokens(OFFICE), 2, 'one refresh, before the reconnect')
  t.equal(w.provider.introspections.includes(false), false, 'Dovecot never saw an expired token')
})

t.test('a revoked grant: that mailbox is auth-failed with a reconnect action, the password mailbox still ingests', async (t) => {
  const w = await world(t)
  const id = (await w.api('POST', '/mailboxes', oauthMailbox(w, OFFICE))).json().id as number
  const tari = (await w.api('POST', '/mailboxes', { name: 'TARI', host: '127.0.0.1', port: w.dovecot.port, username: TARI, password: 'Tari#2026' })).json()
    .id as number
  await connect(w, id, OFFICE)
  await waitState(w, id, 'idle')
  await waitState(w, tari, 'idle')
  t.equal(await w.provider.revokeAccount(OFFICE), 1)
  await w.dovecot.restart()
  const failed = await waitState(w, id, 'auth-failed')
  t.same(
    { lastError: failed?.lastError, action: failed?.action },
    {
      lastError: `L'autorizzazione OAuth2 della casella "OAuth ${OFFICE}" è stata revocata o è scaduta (invalid_grant: grant request is invalid). Un amministratore deve ricollegare la casella.`,
      action: { kind: 'reconnect', method: 'POST', path: `${API}/mailboxes/${id}/oauth/start` }
    }
  )
  t.equal(
    (await mailboxHealth(w, id, 'en'))?.lastError,
    `The OAuth2 authorization of mailbox "OAuth ${OFFICE}" was revoked or has expired (invalid_grant: grant request is invalid). An administrator must reconnect the mailbox.`
  )
  t.same(w.provider.introspections.slice(-1), [false], 'Dovecot refused the revoked token')
  await deliver(w, TARI, 'TARI dopo la revoca')
  await deliver(w, OFFICE, 'Ufficio durante la revoca')
  await waitFor(
    () => subjects(w, tari),
    (s) => s.length === 1,
    15_000,
    'the password mailbox ingests'
  )
  t.same(await subjects(w, tari), ['TARI dopo la revoca'])
  t.equal((await waitState(w, tari, 'idle'))?.lastError, null)

  await connect(w, id, OFFICE)
  await waitFor(
    () => subjects(w, id),
    (s) => s.length === 1,
    15_000,
    'the reconnected mailbox catches up'
  )
  t.same(await subjects(w, id), ['Ufficio durante la revoca'])
  t.equal((await waitState(w, id, 'idle'))?.action, null)
})

t.test('SMTP: a shared mailbox replies through XOAUTH2 as its delegate, From the shared address; a refused token is renewed once', async (t) => {
  const w = await world(t, { startWorkers: false })
  const shared = 'reclami@comune.test'
  const delegate = 'delegato@comune.test'
  const created = await w.api(
    'POST',
    '/mailboxes',
    oauthMailbox(w, shared, { smtpUrl: w.smtp.url, fromName: 'Reclami Comune', oauth: { ...oauthMailbox(w, shared).oauth, delegate } })
  )
  const id = created.json().id as number
  t.equal(created.json().oauth.delegate, delegate)
  const { started } = await connect(w, id, delegate)
  t.equal(new URL(started.json().authorizationUrl).searchParams.get('login_hint'), delegate)
  const raw = await buildMail({
    from: 'Mario Rossi <mario.rossi@example.test>',
    to: shared,
    subject: 'Sacchi non ritirati',
    text: 'Da tre giorni.',
    messageId: '<sacchi@example.test>'
  })
  const { workOrderId } = await w.host.app.communications.mail.ingest(raw, { mailboxId: id })
  await w.host.app.communications.outbox.runOnce()
  const [confirmation] = await w.smtp.waitFor(1)
  t.same(confirmation?.envelope.to, ['mario.rossi@example.test'])
  t.same(confirmation?.parsed.from?.value, [{ address: shared, name: 'Reclami Comune' }])
  t.same(w.smtp.auths, [{ method: 'XOAUTH2', username: delegate, accepted: true }])
  t.equal(confirmation?.session.authMethod, 'XOAUTH2')

  // the provider revokes the access token before its expiry and the relay drops its sessions: the next login
  // gets 535, a fresh token, and the reply goes out
  t.equal(await w.provider.revokeAccessTokens(delegate), 1)
  await w.smtp.stop()
  await w.smtp.start()
  const reply = await w.host.app.inject({
    method: 'POST',
    url: `${API}/work-orders/${workOrderId}/reply`,
    headers: auth('demo-operator'),
    payload: { html: '<p>Passeremo domani mattina.</p>' }
  })
  t.equal(reply.statusCode, 201)
  await w.host.app.communications.outbox.runOnce()
  const sent = await w.smtp.waitFor(2)
  t.same(sent[1]?.envelope.to, ['mario.rossi@example.test'])
  t.same(sent[1]?.parsed.from?.value, [{ address: shared, name: 'Reclami Comune' }])
  t.equal(sent[1]?.parsed.text?.includes('Passeremo domani mattina.'), true)
  t.same(w.smtp.auths, [
    { method: 'XOAUTH2', username: delegate, accepted: true },
    { method: 'XOAUTH2', username: delegate, accepted: false },
    { method: 'XOAUTH2', username: delegate, accepted: true }
  ])
  t.equal(w.provider.issuedAccessTokens(delegate), 2)
})

t.test('input: Microsoft needs its own tenant, never /common; an OAuth2 start for a password mailbox is refused', async (t) => {
  const w = await world(t, { startWorkers: false })
  const microsoft = (tenant: string | undefined) => ({
    name: 'M365',
    host: 'outlook.office365.com',
    port: 993,
    secure: true,
    username: 'ufficio@comune.it',
    oauth: { provider: 'microsoft', clientId: '00000000-1111-2222-3333-444444444444', clientSecret: 's', ...(tenant ? { tenant } : {}) }
  })
  for (const tenant of ['common', 'Organizations', 'consumers', undefined])
    t.equal((await w.api('POST', '/mailboxes', microsoft(tenant))).statusCode, 400, String(tenant))
  const created = await w.api('POST', '/mailboxes', microsoft('comune.onmicrosoft.com'))
  t.equal(created.statusCode, 201)
  t.same(created.json().oauth.scopes, ['https://outlook.office.com/IMAP.AccessAsUser.All', 'https://outlook.office.com/SMTP.Send', 'offline_access'])
  const start = await w.api('POST', `/mailboxes/${created.json().id}/oauth/start`)
  const url = new URL(start.json().authorizationUrl)
  t.equal(url.origin + url.pathname, 'https://login.microsoftonline.com/comune.onmicrosoft.com/oauth2/v2.0/authorize')
  t.equal(url.searchParams.get('redirect_uri'), REDIRECT)
  const password = (await w.api('POST', '/mailboxes', { name: 'P', host: '127.0.0.1', port: 1, username: 'p', password: 'p' })).json().id as number
  const refused = await w.api('POST', `/mailboxes/${password}/oauth/start`)
  t.equal(refused.statusCode, 409)
  t.equal(refused.json().message, `La casella ${password} non usa OAuth2: imposta prima il fornitore e il client (authMethod "oauth2").`)
})
