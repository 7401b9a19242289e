// Mailboxes as administrators see them (passwords encrypted at rest, never returned) and the supervisor that
// keeps one watcher per enabled mailbox running in this process.
import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import { ImapFlow } from 'imapflow'
import { decryptSecret, encryptSecret } from '../crypto.js'
import { assertSmtpUrl, describeSmtpUrl, type SmtpServerView } from './smtp.js'
import { translate, type Locale } from '../i18n.js'
import type { InitialSync, MailboxAuthMethod, MailboxInput, MailboxRecord } from '../repositories/mailboxes.js'
import type { Repositories } from '../repositories/index.js'
import { isUniqueViolation } from '../repositories/normalize.js'
import { describeImapError } from './imap-errors.js'
import { assertTenant, scopesOf, type OAuthProviderKind } from '../domain/oauth2.js'
import { describeTokenError, providerSettings, type OAuthTokens } from './oauth2.js'
import type { MailboxSeed } from '../options.js'
import type { IncomingMail, IngestResult } from './ingest/index.js'
import { quarantineIncoming } from './quarantine.js'
import { MailboxWatcher, type WatcherOptions } from './watcher.js'

/** What the API accepts to create or change a mailbox. */
export interface MailboxSettings {
  name: string
  host: string
  port?: number
  secure?: boolean
  username: string
  password?: string
  folder?: string
  fromAddress?: string | null
  fromName?: string | null
  enabled?: boolean
  moveToFolder?: string | null
  maxMessageBytes?: number | null
  /** The mailbox's own outgoing server, `smtp(s)://user:pass@host:port`; null or absent: the default SMTP_URL. */
  smtpUrl?: string | null
  /** A PEC mailbox (its provider's receipts are the delivery status of what it sends). */
  pec?: boolean
  /** The PEC provider's domain its receipts come from (`posta-certificata@<domain>`); null: derived from the hosts. */
  pecProviderDomain?: string | null
  /** Mail leaves with a signed VERP return path (default); false for relays that refuse or rewrite it. */
  verp?: boolean
  /** What the first connection ingests (see InitialSync); only when the mailbox is created. */
  initialSync?: InitialSync
  /** The receiving server's authserv-id (its Authentication-Results are believed); null: the topmost header. */
  authservId?: string | null
  /** Confirm senders the receiving server did not authenticate too, without quoting their mail (default false). */
  confirmUnauthenticated?: boolean
  /** 'oauth2': IMAP and the mailbox's own SMTP sign in with tokens from `oauth` (connected through the consent flow). */
  authMethod?: MailboxAuthMethod
  oauth?: OAuthSettings | null
}

/** An OAuth2 mailbox's provider and client; the client secret goes in, never out. */
export interface OAuthSettings {
  provider: OAuthProviderKind
  tenant?: string | null
  issuer?: string | null
  clientId: string
  clientSecret?: string
  scopes?: string[] | null
  /** A shared mailbox: the user who consents (and signs in to SMTP); IMAP still opens the mailbox's own address. */
  delegate?: string | null
}

/** OAuth2 sign-in as administrators see it: never the client secret or the refresh token. */
export interface OAuthView {
  provider: OAuthProviderKind
  tenant: string | null
  issuer: string | null
  clientId: string
  scopes: string[]
  delegate: string | null
  hasClientSecret: boolean
  /** An administrator consented and the grant is stored (it may have been revoked since: see health). */
  connected: boolean
  connectedAt: string | null
}

type OAuthColumn = Extract<keyof MailboxRecord, `oauth${string}`>

/** A mailbox as the API returns it: everything but the secrets (the outgoing server without its password). */
export type MailboxView = Omit<MailboxRecord, 'passwordEncrypted' | 'smtpUrlEncrypted' | OAuthColumn> & {
  hasPassword: boolean
  smtp: SmtpServerView | null
  oauth: OAuthView | null
}

export function toView(record: MailboxRecord, secret: string): MailboxView {
  const {
    passwordEncrypted,
    smtpUrlEncrypted,
    oauthProvider,
    oauthTenant,
    oauthIssuer,
    oauthClientId,
    oauthClientSecretEncrypted,
    oauthScopes: _scopes,
    oauthDelegate,
    oauthRefreshTokenEncrypted,
    oauthConnectedAt,
    ...rest
  } = record
  const oauth: OAuthView | null =
    record.authMethod === 'oauth2'
      ? {
          provider: oauthProvider ?? 'issuer',
          tenant: oauthTenant,
          issuer: oauthIssuer,
          clientId: oauthClientId ?? '',
          scopes: scopesOf(providerSettings(record)),
          delegate: oauthDelegate,
          hasClientSecret: Boolean(oauthClientSecretEncrypted),
          connected: Boolean(oauthRefreshTokenEncrypted),
          connectedAt: oauthConnectedAt
        }
      : null
  return {
    ...rest,
    hasPassword: decryptSecret(passwordEncrypted, secret).length > 0,
    smtp: smtpUrlEncrypted ? describeSmtpUrl(decryptSecret(smtpUrlEncrypted, secret)) : null,
    oauth
  }
}

/** The OAuth2 columns for changed settings; a new client secret replaces the old one, none keeps it. */
function oauthColumns(s: MailboxSettings, secret: string): Partial<MailboxInput> {
  if (s.authMethod === 'password') return { authMethod: 'password' }
  if (!s.oauth) return s.authMethod ? { authMethod: s.authMethod } : {}
  const o = s.oauth
  if (o.provider === 'microsoft') assertTenant(o.tenant ?? null)
  return {
    authMethod: 'oauth2',
    oauthProvider: o.provider,
    oauthTenant: o.provider === 'microsoft' ? (o.tenant?.trim() ?? null) : null,
    oauthIssuer: o.provider === 'issuer' ? (o.issuer?.trim().replace(/\/+$/, '') ?? null) : null,
    oauthClientId: o.clientId,
    oauthScopes: o.scopes && o.scopes.length > 0 ? o.scopes.join(' ') : null,
    oauthDelegate: o.delegate?.trim() || null,
    ...(o.clientSecret !== undefined ? { oauthClientSecretEncrypted: o.clientSecret ? encryptSecret(o.clientSecret, secret) : null } : {})
  }
}

/** The mailbox's own sender identity (`"Name" <address>`), or null when it has none. */
export function mailboxSender(record: Pick<MailboxRecord, 'fromAddress' | 'fromName'>): string | null {
  if (!record.fromAddress) return null
  return record.fromName ? `"${record.fromName.replace(/"/g, '')}" <${record.fromAddress}>` : record.fromAddress
}

/**
 * `imap://user:pass@host:port/FOLDER` (user and password URL-encoded; `imaps://` for TLS), optionally with
 * `?smtp=<url-encoded smtp(s) URL>` (the mailbox's own outgoing server), `pec=1` (a PEC mailbox) and
 * `pecProvider=<domain>` (where its receipts come from, when not the registrable domain of its hosts) and `verp=0`
 * (the relay refuses or rewrites a tagged envelope sender: mail leaves with the plain From address).
 */
export function parseImapUrl(
  url: string
): Required<Pick<MailboxSettings, 'host' | 'port' | 'secure' | 'username' | 'password' | 'folder' | 'smtpUrl' | 'pec' | 'pecProviderDomain' | 'verp'>> {
  const u = new URL(url)
  if (u.protocol !== 'imap:' && u.protocol !== 'imaps:') throw new Error(`not an IMAP URL: ${u.protocol}`)
  const secure = u.protocol === 'imaps:'
  const folder = decodeURIComponent(u.pathname.replace(/^\/+/, '')) || 'INBOX'
  if (!u.username) throw new Error('the IMAP URL has no user')
  const smtpUrl = u.searchParams.get('smtp') || null
  if (smtpUrl !== null) assertSmtpUrl(smtpUrl)
  const pec = ['1', 'true', 'yes'].includes((u.searchParams.get('pec') ?? '').toLowerCase())
  const pecProviderDomain = u.searchParams.get('pecProvider')?.trim().toLowerCase() || null
  const verp = !['0', 'false', 'no'].includes((u.searchParams.get('verp') ?? '').toLowerCase())
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : secure ? 993 : 143,
    secure,
    username: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    folder,
    smtpUrl,
    pec,
    pecProviderDomain,
    verp
  }
}

export interface ConnectionTest {
  ok: boolean
  messages?: number
  uidValidity?: string
  error?: string
}

export async function testImapConnection(
  settings: { host: string; port: number; secure: boolean; username: string; password: string; folder: string; accessToken?: string },
  locale: Locale = 'it',
  timeoutMs = 10_000
): Promise<ConnectionTest> {
  const client = new ImapFlow({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    auth: settings.accessToken ? { user: settings.username, accessToken: settings.accessToken } : { user: settings.username, pass: settings.password },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs
  })
  client.on('error', () => undefined)
  try {
    await client.connect()
    const status = await client.status(settings.folder, { messages: true, uidValidity: true })
    if (!status)
      return {
        ok: false,
        error: translate(locale, 'imapFolderMissing', { folder: settings.folder, server: `${settings.host}:${settings.port}`, detail: 'STATUS' })
      }
    return { ok: true, messages: status.messages ?? 0, uidValidity: status.uidValidity !== undefined ? String(status.uidValidity) : undefined }
  } catch (err) {
    const d = describeImapError(err, settings)
    return { ok: false, error: translate(locale, d.key, d.params) }
  } finally {
    await client.logout().catch(() => client.close())
  }
}

export interface MailboxManagerDeps {
  repos: Repositories
  secret: string
  instanceId?: string
  defaultFrom: string | null
  ingest: (incoming: IncomingMail) => Promise<IngestResult>
  ingestBatch?: WatcherOptions['ingestBatch']
  log: WatcherOptions['log']
  leaseTtlMs?: number
  backoff?: WatcherOptions['backoff']
  maxIngestAttempts?: number
  locale?: Locale
  onIngested?: (result: IngestResult) => void
  /** Access tokens of OAuth2 mailboxes (shared with the outgoing side). */
  tokens: Pick<OAuthTokens, 'accessToken' | 'forget'>
}

export function createMailboxManager(deps: MailboxManagerDeps) {
  const owner = deps.instanceId ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`
  const watchers = new Map<number, MailboxWatcher>()
  let running = false
  // a mailbox that is changed or reconnected signs in with a fresh token

  function toInput(s: MailboxSettings, existing?: MailboxRecord): Partial<MailboxInput> {
    return {
      name: s.name,
      host: s.host,
      port: s.port ?? (s.secure ? 993 : 143),
      secure: s.secure ?? false,
      username: s.username,
      ...(s.initialSync && !existing ? { initialSync: s.initialSync } : {}),
      ...(s.password !== undefined
        ? { passwordEncrypted: encryptSecret(s.password, deps.secret) }
        : existing
          ? {}
          : { passwordEncrypted: encryptSecret('', deps.secret) }),
      folder: s.folder ?? 'INBOX',
      fromAddress: s.fromAddress ?? null,
      fromName: s.fromName ?? null,
      enabled: s.enabled ?? true,
      moveToFolder: s.moveToFolder ?? null,
      maxMessageBytes: s.maxMessageBytes ?? null,
      ...(s.smtpUrl !== undefined
        ? { smtpUrlEncrypted: s.smtpUrl ? encryptSecret(assertSmtpUrl(s.smtpUrl), deps.secret) : null }
        : existing
          ? {}
          : { smtpUrlEncrypted: null }),
      pec: s.pec ?? existing?.pec ?? false,
      verp: s.verp ?? existing?.verp ?? true,
      ...(s.pecProviderDomain !== undefined ? { pecProviderDomain: s.pecProviderDomain?.toLowerCase() ?? null } : {}),
      ...(s.authservId !== undefined ? { authservId: s.authservId?.trim().toLowerCase() || null } : {}),
      ...(s.confirmUnauthenticated !== undefined ? { confirmUnauthenticated: s.confirmUnauthenticated } : {}),
      ...oauthColumns(s, deps.secret)
    }
  }

  async function startWatcher(record: MailboxRecord): Promise<void> {
    const watcher = new MailboxWatcher({
      mailbox: record,
      password: decryptSecret(record.passwordEncrypted, deps.secret),
      ...(record.authMethod === 'oauth2' ? { accessToken: (renew: boolean) => deps.tokens.accessToken(record.id, renew) } : {}),
      owner,
      mailboxes: deps.repos.mailboxes,
      ingest: deps.ingest,
      ingestBatch: deps.ingestBatch,
      log: deps.log,
      leaseTtlMs: deps.leaseTtlMs,
      backoff: deps.backoff,
      quarantine: (incoming, reason) => quarantineIncoming(deps.repos, incoming, reason),
      maxIngestAttempts: deps.maxIngestAttempts,
      locale: deps.locale,
      replyFrom: mailboxSender(record) ?? deps.defaultFrom,
      onIngested: deps.onIngested
    })
    watchers.set(record.id, watcher)
    watcher.start()
  }

  async function stopWatcher(id: number): Promise<void> {
    const watcher = watchers.get(id)
    watchers.delete(id)
    await watcher?.stop()
  }

  /** Brings the running watchers in line with the table: start new/enabled, stop removed/disabled, restart changed. */
  async function reconcile(changedId?: number): Promise<void> {
    if (!running) return
    const records = await deps.repos.mailboxes.list()
    const wanted = new Map(records.filter((r) => r.enabled).map((r) => [r.id, r]))
    if (changedId !== undefined) deps.tokens.forget(changedId)
    for (const id of [...watchers.keys()]) if (!wanted.has(id) || id === changedId) await stopWatcher(id)
    for (const record of wanted.values()) if (!watchers.has(record.id)) await startWatcher(record)
  }

  return {
    owner,

    async list(): Promise<MailboxView[]> {
      return (await deps.repos.mailboxes.list()).map((r) => toView(r, deps.secret))
    },

    async get(id: number): Promise<MailboxView | null> {
      const record = await deps.repos.mailboxes.findById(id)
      return record ? toView(record, deps.secret) : null
    },

    async create(settings: MailboxSettings, source: 'api' | 'env' = 'api'): Promise<MailboxView> {
      const id = await deps.repos.mailboxes.insert({ ...(toInput(settings) as MailboxInput), source })
      await reconcile(id)
      return toView((await deps.repos.mailboxes.findById(id)) as MailboxRecord, deps.secret)
    },

    async update(id: number, settings: Partial<MailboxSettings>): Promise<MailboxView | null> {
      const existing = await deps.repos.mailboxes.findById(id)
      if (!existing) return null
      const merged: MailboxSettings = {
        name: settings.name ?? existing.name,
        host: settings.host ?? existing.host,
        port: settings.port ?? existing.port,
        secure: settings.secure ?? existing.secure,
        username: settings.username ?? existing.username,
        password: settings.password,
        folder: settings.folder ?? existing.folder,
        fromAddress: settings.fromAddress !== undefined ? settings.fromAddress : existing.fromAddress,
        fromName: settings.fromName !== undefined ? settings.fromName : existing.fromName,
        enabled: settings.enabled ?? existing.enabled,
        moveToFolder: settings.moveToFolder !== undefined ? settings.moveToFolder : existing.moveToFolder,
        maxMessageBytes: settings.maxMessageBytes !== undefined ? settings.maxMessageBytes : existing.maxMessageBytes,
        smtpUrl: settings.smtpUrl,
        pec: settings.pec ?? existing.pec,
        pecProviderDomain: settings.pecProviderDomain,
        verp: settings.verp ?? existing.verp,
        authservId: settings.authservId,
        confirmUnauthenticated: settings.confirmUnauthenticated,
        authMethod: settings.authMethod,
        oauth: settings.oauth
      }
      await deps.repos.mailboxes.update(id, toInput(merged, existing))
      await reconcile(id)
      return toView((await deps.repos.mailboxes.findById(id)) as MailboxRecord, deps.secret)
    },

    async remove(id: number): Promise<boolean> {
      await stopWatcher(id)
      return deps.repos.mailboxes.remove(id)
    },

    /** Tests a stored mailbox, or unsaved settings (with their password). */
    async test(idOrSettings: number | MailboxSettings, locale: Locale = deps.locale ?? 'it'): Promise<ConnectionTest | null> {
      if (typeof idOrSettings === 'number') {
        const r = await deps.repos.mailboxes.findById(idOrSettings)
        if (!r) return null
        const password = decryptSecret(r.passwordEncrypted, deps.secret)
        if (r.authMethod !== 'oauth2') return testImapConnection({ ...r, password }, locale)
        try {
          return await testImapConnection({ ...r, password, accessToken: await deps.tokens.accessToken(r.id) }, locale)
        } catch (err) {
          const d = describeTokenError(err, r)
          if (!d) throw err
          return { ok: false, error: translate(locale, d.key, d.params) }
        }
      }
      const s = idOrSettings
      return testImapConnection(
        {
          host: s.host,
          port: s.port ?? (s.secure ? 993 : 143),
          secure: s.secure ?? false,
          username: s.username,
          password: s.password ?? '',
          folder: s.folder ?? 'INBOX'
        },
        locale
      )
    },

    /** Registers the mailboxes named by configuration (IMAP_URL); an existing account is updated, not duplicated. */
    async registerFromUrls(seeds: MailboxSeed[]): Promise<void> {
      for (const seed of seeds) {
        const parsed = parseImapUrl(seed.url)
        const existing = await deps.repos.mailboxes.findByAccount(parsed.host, parsed.port, parsed.username, parsed.folder)
        const settings: MailboxSettings = {
          ...parsed,
          name: seed.name ?? `${parsed.username}@${parsed.host}/${parsed.folder}`,
          fromAddress: seed.fromAddress ?? existing?.fromAddress ?? (parsed.username.includes('@') ? parsed.username : null),
          authservId: seed.authservId,
          confirmUnauthenticated: seed.confirmUnauthenticated
        }
        if (existing) {
          await deps.repos.mailboxes.update(existing.id, {
            passwordEncrypted: encryptSecret(parsed.password, deps.secret),
            secure: parsed.secure,
            pec: parsed.pec,
            pecProviderDomain: parsed.pecProviderDomain,
            verp: parsed.verp,
            smtpUrlEncrypted: parsed.smtpUrl ? encryptSecret(parsed.smtpUrl, deps.secret) : null,
            ...(seed.authservId !== undefined ? { authservId: seed.authservId.trim().toLowerCase() || null } : {}),
            ...(seed.confirmUnauthenticated !== undefined ? { confirmUnauthenticated: seed.confirmUnauthenticated } : {})
          })
        } else {
          // another instance starting at the same moment may register it first: then it is already there
          await deps.repos
            .transaction((tx) => tx.mailboxes.insert({ ...(toInput(settings) as MailboxInput), source: 'env', initialSync: seed.initialSync ?? 'new-only' }))
            .catch((err: unknown) => {
              if (!isUniqueViolation(err)) throw err
            })
        }
      }
    },

    async start(): Promise<void> {
      running = true
      await reconcile()
    },

    async stop(): Promise<void> {
      running = false
      await Promise.all([...watchers.keys()].map((id) => stopWatcher(id)))
    },

    isWatching(id: number): boolean {
      return watchers.has(id)
    },

    /** Restarts a mailbox's watcher (after a new OAuth2 consent: the token it brought is still good). */
    async restart(id: number): Promise<void> {
      await stopWatcher(id)
      await reconcile()
    }
  }
}

export type MailboxManager = ReturnType<typeof createMailboxManager>
