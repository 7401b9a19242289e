// Mailbox settings (password encrypted by the caller) and each mailbox's watcher state and checkpoint.
import type { Knex } from 'knex'
import { parseJson, toBool, toId, toIso, toStr, type Row } from './normalize.js'

export interface MailboxRecord {
  id: number
  name: string
  host: string
  port: number
  secure: boolean
  username: string
  passwordEncrypted: string
  folder: string
  fromAddress: string | null
  fromName: string | null
  enabled: boolean
  moveToFolder: string | null
  maxMessageBytes: number | null
  /** The mailbox's own outgoing server (`smtp(s)://user:pass@host:port`), encrypted; null: the default SMTP_URL. */
  smtpUrlEncrypted: string | null
  /** A PEC mailbox: its provider's receipts are delivery evidence for the mail sent through it. */
  pec: boolean
  /** Where a PEC mailbox's receipts come from (`posta-certificata@<domain>`); null: derived from its hosts. */
  pecProviderDomain: string | null
  /** Mail leaves with a signed VERP return path (src/mail/verp.ts); false for relays that refuse or rewrite it. */
  verp: boolean
  source: 'api' | 'env'
  /** What the first connection ingests: only mail arriving from then on (default), or everything in the folder. */
  initialSync: InitialSync
  /** The receiving server's authserv-id: only its Authentication-Results are believed; null: the topmost header. */
  authservId: string | null
  /** Confirm senders the receiving server did not authenticate too (never quoting their mail); default false. */
  confirmUnauthenticated: boolean
  /** How IMAP and the mailbox's own SMTP sign in: the password, or OAuth2 bearer tokens (XOAUTH2). */
  authMethod: MailboxAuthMethod
  oauthProvider: 'microsoft' | 'google' | 'issuer' | null
  oauthTenant: string | null
  oauthIssuer: string | null
  oauthClientId: string | null
  oauthClientSecretEncrypted: string | null
  /** Space-separated; null: the provider's defaults. */
  oauthScopes: string | null
  /** Shared mailboxes: the user whose token signs in (IMAP as the shared address, SMTP as the delegate). */
  oauthDelegate: string | null
  oauthRefreshTokenEncrypted: string | null
  oauthConnectedAt: string | null
  createdAt: string
  updatedAt: string
}

export type MailboxAuthMethod = 'password' | 'oauth2'

/** The columns that only OAuth2 mailboxes fill; absent on create: a password mailbox. */
type OAuthColumns =
  | 'authMethod'
  | 'oauthProvider'
  | 'oauthTenant'
  | 'oauthIssuer'
  | 'oauthClientId'
  | 'oauthClientSecretEncrypted'
  | 'oauthScopes'
  | 'oauthDelegate'
  | 'oauthRefreshTokenEncrypted'
  | 'oauthConnectedAt'

export type InitialSync = 'new-only' | 'all'

/** What a mailbox is created or changed with; without an outgoing server of its own it uses the default one. */
export type MailboxInput = Omit<
  MailboxRecord,
  | 'id'
  | 'createdAt'
  | 'updatedAt'
  | 'smtpUrlEncrypted'
  | 'pec'
  | 'pecProviderDomain'
  | 'verp'
  | 'initialSync'
  | 'authservId'
  | 'confirmUnauthenticated'
  | OAuthColumns
> &
  Partial<
    Pick<MailboxRecord, 'smtpUrlEncrypted' | 'pec' | 'pecProviderDomain' | 'verp' | 'initialSync' | 'authservId' | 'confirmUnauthenticated' | OAuthColumns>
  >

export interface MailboxState {
  mailboxId: number
  uidValidity: string | null
  lastUid: number
  leaseOwner: string | null
  leaseExpiresAt: string | null
  state: string
  lastError: string | null
  lastErrorAt: string | null
  lastMessageAt: string | null
  /** The last error as a message key and its parameters, when it has a translation. */
  lastErrorDetail: ErrorDetail | null
  /** The message that keeps failing to ingest, and how many times in a row it failed. */
  failingUid: number | null
  failingCount: number
  failingError: string | null
  /** Since when the mailbox has been failing (null once it is idle again). */
  failingSince: string | null
  /** When the administrators were told it is failing (null again after the recovery notice). */
  alertSentAt: string | null
  /** When the module first connected, and the last UID that was already in the folder then (history). */
  onboardedAt: string | null
  onboardedUid: number | null
  updatedAt: string
}

export interface ErrorDetail {
  key: string
  params: Record<string, string | number>
}

/** An error for the state row: the text (in the module's language) and, optionally, its translatable form. */
export type StateError = string | { text: string; detail: ErrorDetail }

const MAILBOXES = 'trc_mailboxes'
const STATE = 'trc_mailbox_state'

function toMailbox(row: Row): MailboxRecord {
  return {
    id: toId(row.id),
    name: String(row.name),
    host: String(row.host),
    port: Number(row.port),
    secure: toBool(row.secure),
    username: String(row.username),
    passwordEncrypted: String(row.password_encrypted),
    folder: String(row.folder),
    fromAddress: toStr(row.from_address),
    fromName: toStr(row.from_name),
    enabled: toBool(row.enabled),
    moveToFolder: toStr(row.move_to_folder),
    maxMessageBytes: row.max_message_bytes === null || row.max_message_bytes === undefined ? null : Number(row.max_message_bytes),
    smtpUrlEncrypted: toStr(row.smtp_url_encrypted),
    pec: toBool(row.pec),
    pecProviderDomain: toStr(row.pec_provider_domain),
    verp: toBool(row.verp),
    source: String(row.source) === 'env' ? 'env' : 'api',
    initialSync: String(row.initial_sync) === 'all' ? 'all' : 'new-only',
    authservId: toStr(row.authserv_id),
    confirmUnauthenticated: toBool(row.confirm_unauthenticated),
    authMethod: String(row.auth_method) === 'oauth2' ? 'oauth2' : 'password',
    oauthProvider: toOAuthProvider(row.oauth_provider),
    oauthTenant: toStr(row.oauth_tenant),
    oauthIssuer: toStr(row.oauth_issuer),
    oauthClientId: toStr(row.oauth_client_id),
    oauthClientSecretEncrypted: toStr(row.oauth_client_secret_encrypted),
    oauthScopes: toStr(row.oauth_scopes),
    oauthDelegate: toStr(row.oauth_delegate),
    oauthRefreshTokenEncrypted: toStr(row.oauth_refresh_token_encrypted),
    oauthConnectedAt: toIso(row.oauth_connected_at),
    createdAt: toIso(row.created_at) ?? '',
    updatedAt: toIso(row.updated_at) ?? ''
  }
}

function toOAuthProvider(value: unknown): MailboxRecord['oauthProvider'] {
  return value === 'microsoft' || value === 'google' || value === 'issuer' ? value : null
}

function toState(row: Row): MailboxState {
  return {
    mailboxId: toId(row.mailbox_id),
    uidValidity: toStr(row.uid_validity),
    lastUid: Number(row.last_uid ?? 0),
    leaseOwner: toStr(row.lease_owner),
    leaseExpiresAt: toIso(row.lease_expires_at),
    state: String(row.state),
    lastError: toStr(row.last_error),
    lastErrorAt: toIso(row.last_error_at),
    lastMessageAt: toIso(row.last_message_at),
    lastErrorDetail: row.last_error_i18n ? parseJson<ErrorDetail | null>(row.last_error_i18n, null) : null,
    failingUid: row.failing_uid === null || row.failing_uid === undefined ? null : Number(row.failing_uid),
    failingCount: Number(row.failing_count ?? 0),
    failingError: toStr(row.failing_error),
    failingSince: toIso(row.failing_since),
    alertSentAt: toIso(row.alert_sent_at),
    onboardedAt: toIso(row.onboarded_at),
    onboardedUid: row.onboarded_uid === null || row.onboarded_uid === undefined ? null : Number(row.onboarded_uid),
    updatedAt: toIso(row.updated_at) ?? ''
  }
}

const toDate = (value: unknown) => (typeof value === 'string' ? new Date(value) : value)

function toRow(input: Partial<MailboxInput>): Record<string, unknown> {
  const map: Record<string, keyof MailboxInput> = {
    name: 'name',
    host: 'host',
    port: 'port',
    secure: 'secure',
    username: 'username',
    password_encrypted: 'passwordEncrypted',
    folder: 'folder',
    from_address: 'fromAddress',
    from_name: 'fromName',
    enabled: 'enabled',
    move_to_folder: 'moveToFolder',
    max_message_bytes: 'maxMessageBytes',
    source: 'source',
    smtp_url_encrypted: 'smtpUrlEncrypted',
    pec: 'pec',
    pec_provider_domain: 'pecProviderDomain',
    verp: 'verp',
    initial_sync: 'initialSync',
    authserv_id: 'authservId',
    confirm_unauthenticated: 'confirmUnauthenticated',
    auth_method: 'authMethod',
    oauth_provider: 'oauthProvider',
    oauth_tenant: 'oauthTenant',
    oauth_issuer: 'oauthIssuer',
    oauth_client_id: 'oauthClientId',
    oauth_client_secret_encrypted: 'oauthClientSecretEncrypted',
    oauth_scopes: 'oauthScopes',
    oauth_delegate: 'oauthDelegate',
    oauth_refresh_token_encrypted: 'oauthRefreshTokenEncrypted',
    oauth_connected_at: 'oauthConnectedAt'
  }
  const row: Record<string, unknown> = {}
  for (const [column, key] of Object.entries(map)) if (input[key] !== undefined) row[column] = key === 'oauthConnectedAt' ? toDate(input[key]) : input[key]
  return row
}

export function createMailboxRepository(db: Knex | Knex.Transaction) {
  return {
    async list(): Promise<MailboxRecord[]> {
      const rows: Row[] = await db(MAILBOXES).select('*').orderBy('id')
      return rows.map(toMailbox)
    },

    async findById(id: number): Promise<MailboxRecord | null> {
      const row = await db(MAILBOXES).first('*').where('id', id)
      return row ? toMailbox(row) : null
    },

    async findByAccount(host: string, port: number, username: string, folder: string): Promise<MailboxRecord | null> {
      const row = await db(MAILBOXES).first('*').where({ host, port, username, folder })
      return row ? toMailbox(row) : null
    },

    async insert(input: MailboxInput, now: Date = new Date()): Promise<number> {
      const [row] = await db(MAILBOXES).insert({ ...toRow(input), created_at: now, updated_at: now }, ['id'])
      const id = toId((row as Row).id)
      await db(STATE).insert({ mailbox_id: id, last_uid: 0, state: 'stopped', updated_at: now })
      return id
    },

    async update(id: number, changes: Partial<MailboxInput>, now: Date = new Date()): Promise<boolean> {
      const count = await db(MAILBOXES)
        .where('id', id)
        .update({ ...toRow(changes), updated_at: now })
      return count > 0
    },

    async remove(id: number): Promise<boolean> {
      await db(STATE).where('mailbox_id', id).delete()
      await db('trc_oauth_pending').where('mailbox_id', id).delete()
      return (await db(MAILBOXES).where('id', id).delete()) > 0
    },

    async listStates(): Promise<MailboxState[]> {
      const rows: Row[] = await db(STATE).select('*').orderBy('mailbox_id')
      return rows.map(toState)
    },

    async findState(mailboxId: number): Promise<MailboxState | null> {
      const row = await db(STATE).first('*').where('mailbox_id', mailboxId)
      return row ? toState(row) : null
    },

    /**
     * Takes or renews the lease on a mailbox: a single conditional UPDATE, atomic on every dialect, succeeds only
     * when the lease is free, expired, or already ours. Returns whether this instance now holds it.
     */
    async acquireLease(mailboxId: number, owner: string, ttlMs: number, now: Date = new Date()): Promise<boolean> {
      const count = await db(STATE)
        .where('mailbox_id', mailboxId)
        .andWhere((q) => q.whereNull('lease_owner').orWhere('lease_owner', owner).orWhere('lease_expires_at', '<', now))
        .update({ lease_owner: owner, lease_expires_at: new Date(now.getTime() + ttlMs), updated_at: now })
      return count > 0
    },

    async releaseLease(mailboxId: number, owner: string, now: Date = new Date()): Promise<void> {
      await db(STATE)
        .where({ mailbox_id: mailboxId, lease_owner: owner })
        .update({ lease_owner: null, lease_expires_at: null, state: 'stopped', updated_at: now })
    },

    /**
     * The watcher's state. `backoff` and `auth-failed` start the failure clock (kept across reconnects and restarts); `idle`, a
     * healthy connection, stops it.
     */
    async setState(mailboxId: number, state: string, error?: StateError | null, now: Date = new Date()): Promise<void> {
      const row: Record<string, unknown> = { state, updated_at: now }
      if (error !== undefined) {
        row.last_error = typeof error === 'string' || error === null ? error : error.text.slice(0, 4000)
        row.last_error_i18n = error !== null && typeof error === 'object' ? JSON.stringify(error.detail) : null
        if (error !== null) row.last_error_at = now
      }
      if (state === 'backoff' || state === 'auth-failed') row.failing_since = db.raw('COALESCE(??, ?)', ['failing_since', now])
      if (state === 'idle') row.failing_since = null
      await db(STATE).where('mailbox_id', mailboxId).update(row)
    },

    /**
     * The first connection: the checkpoint starts at `lastUid` (the folder's last UID for 'new-only', 0 for 'all'),
     * and the state remembers when and where history ends. Only the lease holder, only once.
     */
    async startCheckpoint(mailboxId: number, owner: string, uidValidity: string, lastUid: number, now: Date = new Date()): Promise<boolean> {
      const count = await db(STATE)
        .where({ mailbox_id: mailboxId, lease_owner: owner })
        .whereNull('uid_validity')
        .update({ uid_validity: uidValidity, last_uid: lastUid, onboarded_at: now, onboarded_uid: lastUid, updated_at: now })
      return count > 0
    },

    /** One more failed attempt at ingesting `uid` (a different uid starts again at 1); returns the count. */
    async recordIngestFailure(mailboxId: number, owner: string, uid: number, error: string, now: Date = new Date()): Promise<number> {
      await db(STATE)
        .where({ mailbox_id: mailboxId, lease_owner: owner })
        .update({
          failing_count: db.raw('CASE WHEN ?? = ? THEN ?? + 1 ELSE 1 END', ['failing_uid', uid, 'failing_count']),
          failing_uid: uid,
          failing_error: error.slice(0, 4000),
          updated_at: now
        })
      const row = await db(STATE).first('failing_uid', 'failing_count').where('mailbox_id', mailboxId)
      return row && Number(row.failing_uid) === uid ? Number(row.failing_count) : 0
    },

    /** Claims the "mailbox failing" notice: true once per failure period, for the first instance that asks. */
    async claimFailureAlert(mailboxId: number, failingBefore: Date, now: Date = new Date()): Promise<boolean> {
      const count = await db(STATE)
        .where('mailbox_id', mailboxId)
        .whereNull('alert_sent_at')
        .whereNotNull('failing_since')
        .andWhere('failing_since', '<=', failingBefore)
        .update({ alert_sent_at: now, updated_at: now })
      return count > 0
    },

    /** Claims the "mailbox working again" notice: true once, after a notified failure has ended. */
    async claimRecoveryAlert(mailboxId: number, now: Date = new Date()): Promise<boolean> {
      const count = await db(STATE)
        .where('mailbox_id', mailboxId)
        .whereNotNull('alert_sent_at')
        .whereNull('failing_since')
        .update({ alert_sent_at: null, updated_at: now })
      return count > 0
    },

    /** After a UIDVALIDITY change: start again from UID 0 under the new validity (only the lease holder). */
    async resetCheckpoint(mailboxId: number, owner: string, uidValidity: string, now: Date = new Date()): Promise<boolean> {
      const count = await db(STATE).where({ mailbox_id: mailboxId, lease_owner: owner }).update({ uid_validity: uidValidity, last_uid: 0, updated_at: now })
      return count > 0
    },

    /**
     * Advances the checkpoint; called inside the transaction that stores the message, so the checkpoint and the
     * message commit together. Only the lease holder may move it.
     */
    async advanceCheckpoint(mailboxId: number, owner: string, uidValidity: string, lastUid: number, now: Date = new Date()): Promise<boolean> {
      const count = await db(STATE).where({ mailbox_id: mailboxId, lease_owner: owner }).update({
        uid_validity: uidValidity,
        last_uid: lastUid,
        last_message_at: now,
        failing_uid: null,
        failing_count: 0,
        failing_error: null,
        updated_at: now
      })
      return count > 0
    }
  }
}

export type MailboxRepository = ReturnType<typeof createMailboxRepository>
