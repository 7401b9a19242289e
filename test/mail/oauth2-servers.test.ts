// The OAuth2 test servers themselves: the provider issues tokens through code + PKCE, Dovecot's oauth2 passdb and
// the SMTP server's XOAUTH2 accept them only while the provider says they are active, password users keep working.
import { createHash, randomBytes } from 'node:crypto'
import t from 'tap'
import nodemailer from 'nodemailer'
import { startDovecot } from '../helpers/dovecot.js'
import { startOAuthProvider, type OAuthTestProvider } from '../helpers/oauth-provider.js'
import { startSmtpServer } from '../helpers/smtp.js'

const refused = (err: { authenticationFailed?: boolean }) => ({ authenticationFailed: err.authenticationFailed })
const REDIRECT = 'http://127.0.0.1:9/callback'

async function grant(provider: OAuthTestProvider, login: string) {
  const verifier = randomBytes(32).toString('base64url')
  const url = new URL(`${provider.issuer}/auth`)
  url.search = new URLSearchParams({
    client_id: provider.clientId,
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope: 'openid offline_access mail',
    prompt: 'consent',
    state: 'st',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256'
  }).toString()
  const back = await provider.consent(url.href, login)
  const res = await fetch(provider.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: back.searchParams.get('code') ?? '',
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      client_id: provider.clientId,
      client_secret: provider.clientSecret
    })
  })
  return { status: res.status, body: (await res.json()) as { access_token: string; refresh_token?: string; expires_in: number } }
}

t.test('Dovecot: a token the provider issued logs in over XOAUTH2; revoked, it no longer does; passwords still work', async (t) => {
  const provider = await startOAuthProvider({ t, redirectUris: [REDIRECT], accessTokenTtlSeconds: 120 })
  const dovecot = await startDovecot({
    t,
    users: { 'ufficio@comune.test': 'unused-password', 'tari@comune.test': 'Tari#2026' },
    oauth2: { introspectionUrl: provider.introspectionUrl, ...provider.introspector }
  })
  const { status, body } = await grant(provider, 'ufficio@comune.test')
  t.equal(status, 200)
  t.equal(body.expires_in, 120)
  t.type(body.refresh_token, 'string')
  const client = await dovecot.connect('ufficio@comune.test', { auth: { user: 'ufficio@comune.test', accessToken: body.access_token } })
  t.same(await client.status('INBOX', { messages: true }), { path: 'INBOX', messages: 0 })
  await client.logout()
  const other = await dovecot.connect('tari@comune.test', { auth: { user: 'tari@comune.test', accessToken: body.access_token } }).catch(refused)
  t.same(other, { authenticationFailed: true }, 'a token is good only for its own user')
  const password = await dovecot.connect('tari@comune.test')
  await password.logout()
  t.equal(await provider.revokeAccount('ufficio@comune.test'), 1)
  t.same(await provider.introspect(body.access_token), { active: false })
  const revoked = await dovecot.connect('ufficio@comune.test', { auth: { user: 'ufficio@comune.test', accessToken: body.access_token } }).catch(refused)
  t.same(revoked, { authenticationFailed: true })
})

t.test('SMTP: XOAUTH2 with an active token for the named user is accepted, anything else gets 535', async (t) => {
  const provider = await startOAuthProvider({ t, redirectUris: [REDIRECT] })
  const smtp = await startSmtpServer({ t, oauth2: { introspect: (token) => provider.introspect(token) } })
  const { body } = await grant(provider, 'delegato@comune.test')
  const send = (user: string, accessToken: string) =>
    nodemailer
      .createTransport({ ...smtp.transportOptions(), auth: { type: 'OAuth2', user, accessToken } })
      .sendMail({ from: 'reclami@comune.test', to: 'mario@example.test', subject: 'Prova', text: 'Ciao' })
  await send('delegato@comune.test', body.access_token)
  const [received] = await smtp.waitFor(1)
  t.same(received?.session.authMethod, 'XOAUTH2')
  t.same(received?.session.user, 'delegato@comune.test')
  t.same(received?.envelope, { from: 'reclami@comune.test', to: ['mario@example.test'] })
  await t.rejects(send('altro@comune.test', body.access_token), { code: 'EAUTH', responseCode: 535 })
  t.same(smtp.auths, [
    { method: 'XOAUTH2', username: 'delegato@comune.test', accepted: true },
    { method: 'XOAUTH2', username: 'altro@comune.test', accepted: false }
  ])
})
