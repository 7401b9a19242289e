// Plugin options: their types, their defaults, and validation at registration with errors that name the option.
import type { Knex } from 'knex'
import { resolveRetentionOptions, type ResolvedRetentionOptions, type RetentionOptions } from './privacy/options.js'
import { resolveAntivirusOptions, type AntivirusOptions, type ResolvedAntivirusOptions } from './antivirus/options.js'
import { validateAreraOptions, type AreraOptions, type ResolvedAreraOptions } from './arera/options.js'
import type { StandardOverrides } from './domain/arera.js'
import { tableColumns } from './repositories/schema.js'
import type { WorkingCalendarOptions } from './domain/working-days.js'
import { resolveLiveOptions, type LiveOptions, type ResolvedLiveOptions } from './live/options.js'
import { resolveIntakeOptions, type IntakeOptions, type ResolvedIntakeOptions } from './intake/options.js'
import { WORK_ORDER_STATES, type AuthorizeHook, type WorkOrderState } from './types.js'

export interface ContributorMapping {
  table: string
  id: string
  displayName: string
  fiscalCode?: string
  /** One or more columns holding email addresses (e.g. personal and PEC). */
  emails: string[]
  /** ARERA (optional): the municipality of the supply, which picks the request's territory. */
  municipality?: string
  /** ARERA yearly communication (optional): the user type column and how the host spells each type. */
  userType?: string
  userTypeValues?: { domestica?: string[]; non_domestica?: string[] }
  /** ARERA yearly communication (optional): start and end dates of the supply, for the users at 31 December. */
  activeFrom?: string
  activeTo?: string
}

export interface WorkOrderMapping {
  table: string
  id: string
  contributorId: string
  status: string
  subject: string
  description?: string
  /** Column for the request type/category, written with `typeValues` when the module opens a work order. */
  type?: string
  createdAt: string
  /** How each module state is spelled in the host's status column; `open` and `closed` are required. */
  statuses: Partial<Record<WorkOrderState, string>> & { open: string; closed: string }
  /** Host spelling of module request types (e.g. `reclamo_scritto` → `RECL`); unmapped types are written as-is. */
  typeValues?: Record<string, string>
  /** Extra columns the host requires on insert (e.g. `{ origine: 'COMUNICAZIONI' }`). */
  insertDefaults?: Record<string, string | number | boolean | null>
}

export interface HostMapping {
  contributors: ContributorMapping
  workOrders: WorkOrderMapping
}

export interface MailboxSeed {
  /**
   * `imap://user:pass@host:port/FOLDER` or `imaps://…`; user and password URL-encoded. `?smtp=<url-encoded
   * smtp(s) URL>`: the mailbox's own outgoing server; `pec=1`: a PEC mailbox.
   */
  url: string
  name?: string
  fromAddress?: string
  /**
   * What the first connection ingests: 'new-only' (default) takes only mail arriving after it, so a mailbox with
   * years of mail does not flood the host; 'all' takes the whole folder as new contacts (a dedicated, empty box).
   */
  initialSync?: 'new-only' | 'all'
  /**
   * The receiving server's authserv-id, as it writes it first in its Authentication-Results header (e.g.
   * `mx.example.it`): only that server's verdict on the sender is believed. Unset: only the topmost header.
   */
  authservId?: string
  /** Confirm senders the receiving server did not authenticate too, never quoting their mail (default false). */
  confirmUnauthenticated?: boolean
}

export interface SmtpSettings {
  /** `smtp://user:pass@host:port` or `smtps://…` */
  url: string
}

export interface MailOptions {
  mailboxes?: MailboxSeed[]
  smtp?: SmtpSettings
  /** Sender of outgoing mail when a mailbox has no identity of its own, e.g. `"Ufficio TARI" <tari@example.test>`. */
  from?: string
  /** Start the mailbox watcher and the outbox worker in onReady (default true). */
  startWorkers?: boolean
  /** How long a mailbox lease lasts without renewal (default 30 s); another instance takes over after it. */
  leaseTtlMs?: number
  /**
   * Reconnection backoff after a dropped IMAP connection (default 0.5 s doubling to 4 s, with jitter; it starts
   * again from the beginning after every healthy connection). A refused login waits at least a minute.
   */
  backoff?: { baseMs: number; maxMs: number }
  /** Failed attempts in a row at ingesting one message before it is quarantined and the mailbox moves on (default 3). */
  maxIngestAttempts?: number
  /**
   * The OAuth2 redirect URI registered with the providers, e.g. `https://erp.example.it/api/communications/oauth/callback`;
   * default: the callback route under the address the administrator's request came to.
   */
  oauthRedirectUrl?: string
  /** While the SMTP relay is unreachable, how often to check whether it is back (default 3000 ms); then retries start at once. */
  relayProbeMs?: number
  /** Mail the administrators once when a mailbox has been failing longer than `afterMs`, and once when it recovers. */
  failureAlerts?: FailureAlertOptions
  /** How often the outbox worker looks for due mail (default 1000 ms); it is also woken when mail is queued here. */
  outboxPollMs?: number
  /** Delay before retrying a temporary SMTP failure (default 30 s doubling to 1 h, with jitter). */
  outboxBackoff?: { baseMs: number; maxMs: number }
  /** Attempts before a mail that keeps failing temporarily is marked failed (default 10). */
  outboxMaxAttempts?: number
  /** How long a worker's claim on a mail lasts; an expired claim (crashed instance) is retried (default 5 min). */
  outboxClaimTtlMs?: number
  /** Largest file an operator may attach to a reply or forward (default 10 MB). */
  maxAttachmentBytes?: number
  /** Largest total of attachments in one outgoing mail (default 25 MB). */
  maxOutboundBytes?: number
}

export interface FailureAlertOptions {
  /** The administrators' addresses. */
  to: string[]
  /** How long a mailbox must fail before the alert (default 15 minutes). */
  afterMs?: number
  /** How often mailboxes are checked (default 30 s). */
  checkMs?: number
}

export interface InboundOptions {
  /** A citizen's reply to a closed work order: reopen it (within `reopenWithinDays`) or open a new, linked one. */
  closedReplies?: 'reopen' | 'new'
  /** Default 30: after this many days since the last message a reply to a closed work order opens a new one. */
  reopenWithinDays?: number
  /** Default 40 MB: larger mail is recorded with its headers and a note; the raw source goes to quarantine. */
  maxMessageBytes?: number
  /** Default 3: confirmation emails per sender address per hour (loop and flood protection). */
  confirmationsPerHour?: number
}

export type AttachmentStorageOption = { type: 'database' } | { type: 'directory'; directory: string }

export interface CommunicationsOptions {
  /** The host's Knex instance (preferred) … */
  knex?: Knex
  /** … or connection settings for a Knex instance the module owns and destroys on close. */
  database?: Knex.Config
  mapping: HostMapping
  genericContributorId: number
  authorize: AuthorizeHook
  /** Route prefix (default `/api/communications`). */
  prefix?: string
  locale?: 'it' | 'en'
  attachments?: AttachmentStorageOption
  mail?: MailOptions
  /** At least 32 characters: encrypts mailbox passwords and signs threading tokens. */
  secret: string
  /** Operator (ente gestore) name used in letterheads and mail signatures. */
  organizationName?: string
  /** Run the module's migrations at registration (default true). */
  migrate?: boolean
  /** Identifies this process in leases and outbox claims (default: hostname + pid + random). */
  instanceId?: string
  inbound?: InboundOptions
  /** Working days (default Monday–Friday), patron saint, extra closures. */
  calendar?: WorkingCalendarOptions
  /** Overrides of the ARERA standards in working days per request type. */
  standards?: StandardOverrides
  /** Regulatory scheme, minimum compliance percentages, daily deadline digest. */
  arera?: AreraOptions
  /** Sportello On-line form and SottoControllo app (Open311): request types, app keys, anti-abuse limits. */
  intake?: IntakeOptions
  /** ClamAV (clamd) scanning of every attachment; off when absent. */
  antivirus?: AntivirusOptions | null
  /** How long personal data is kept (conversations of closed work orders, quarantine and spam, audit log). */
  retention?: RetentionOptions
  /** Operators' notifications: how often due dates are checked and emails sent, the quiet time per work order. */
  notifications?: NotificationOptions
  /** Live updates to open browsers (GET <prefix>/events): how often the change feed is read, heartbeats. */
  live?: LiveOptions
}

export interface NotificationOptions {
  /** Default 60 s. */
  everyMs?: number
  /** A work order appears in at most one email per operator within this time (default 15 minutes). */
  quietMs?: number
}

export class OptionsError extends Error {
  constructor(
    readonly option: string,
    detail: string
  ) {
    super(`Ticket Reclami: option "${option}" ${detail}`)
    this.name = 'OptionsError'
  }
}

/** An authserv-id as servers write it: a host name (RFC 8601 §2.5 allows any token; these are the ones in use). */
const AUTHSERV_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,253}$/
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/

function requireIdentifier(value: unknown, option: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new OptionsError(option, 'is required (a table or column name)')
  if (!IDENT.test(value)) throw new OptionsError(option, `is not a valid table or column name: ${JSON.stringify(value)}`)
  return value
}

function optionalIdentifier(value: unknown, option: string): string | undefined {
  return value === undefined ? undefined : requireIdentifier(value, option)
}

/** Structural checks that need no database. Returns options with defaults filled in. */
export function validateOptions(input: unknown): ResolvedOptions {
  if (!input || typeof input !== 'object') throw new OptionsError('(options)', 'must be an object')
  const opts = input as Partial<CommunicationsOptions>
  if (!opts.knex && !opts.database) throw new OptionsError('knex', 'is required: pass the host Knex instance (or `database` settings)')
  if (typeof opts.authorize !== 'function') throw new OptionsError('authorize', 'must be a function (request) => operator | null')
  if (typeof opts.secret !== 'string' || opts.secret.length < 32) throw new OptionsError('secret', 'must be a string of at least 32 characters')
  if (!Number.isSafeInteger(opts.genericContributorId)) throw new OptionsError('genericContributorId', 'must be the integer id of the generic contributor')
  const prefix = opts.prefix ?? '/api/communications'
  if (!/^\/[A-Za-z0-9/_-]*$/.test(prefix)) throw new OptionsError('prefix', `must be a path starting with "/": ${JSON.stringify(prefix)}`)
  const locale = opts.locale ?? 'it'
  if (locale !== 'it' && locale !== 'en') throw new OptionsError('locale', 'must be "it" or "en"')

  const mapping = opts.mapping
  if (!mapping || typeof mapping !== 'object') throw new OptionsError('mapping', 'is required: { contributors, workOrders }')
  const c = mapping.contributors
  if (!c || typeof c !== 'object') throw new OptionsError('mapping.contributors', 'is required')
  const w = mapping.workOrders
  if (!w || typeof w !== 'object') throw new OptionsError('mapping.workOrders', 'is required')
  if (!Array.isArray(c.emails) || c.emails.length === 0) throw new OptionsError('mapping.contributors.emails', 'must list at least one email column')
  const contributors: ContributorMapping = {
    table: requireIdentifier(c.table, 'mapping.contributors.table'),
    id: requireIdentifier(c.id, 'mapping.contributors.id'),
    displayName: requireIdentifier(c.displayName, 'mapping.contributors.displayName'),
    fiscalCode: optionalIdentifier(c.fiscalCode, 'mapping.contributors.fiscalCode'),
    emails: c.emails.map((e, i) => requireIdentifier(e, `mapping.contributors.emails[${i}]`)),
    municipality: optionalIdentifier(c.municipality, 'mapping.contributors.municipality'),
    userType: optionalIdentifier(c.userType, 'mapping.contributors.userType'),
    userTypeValues: c.userTypeValues,
    activeFrom: optionalIdentifier(c.activeFrom, 'mapping.contributors.activeFrom'),
    activeTo: optionalIdentifier(c.activeTo, 'mapping.contributors.activeTo')
  }
  if (!w.statuses || typeof w.statuses !== 'object') throw new OptionsError('mapping.workOrders.statuses', 'is required: { open, closed, … }')
  for (const key of Object.keys(w.statuses)) {
    if (!(WORK_ORDER_STATES as readonly string[]).includes(key)) {
      throw new OptionsError(`mapping.workOrders.statuses.${key}`, `is not a module state (${WORK_ORDER_STATES.join(', ')})`)
    }
  }
  for (const required of ['open', 'closed'] as const) {
    if (typeof w.statuses[required] !== 'string' || w.statuses[required].length === 0) {
      throw new OptionsError(`mapping.workOrders.statuses.${required}`, 'is required: the host value for this state')
    }
  }
  const workOrders: WorkOrderMapping = {
    table: requireIdentifier(w.table, 'mapping.workOrders.table'),
    id: requireIdentifier(w.id, 'mapping.workOrders.id'),
    contributorId: requireIdentifier(w.contributorId, 'mapping.workOrders.contributorId'),
    status: requireIdentifier(w.status, 'mapping.workOrders.status'),
    subject: requireIdentifier(w.subject, 'mapping.workOrders.subject'),
    description: optionalIdentifier(w.description, 'mapping.workOrders.description'),
    type: optionalIdentifier(w.type, 'mapping.workOrders.type'),
    createdAt: requireIdentifier(w.createdAt, 'mapping.workOrders.createdAt'),
    statuses: { ...w.statuses },
    typeValues: { ...(w.typeValues ?? {}) },
    insertDefaults: { ...(w.insertDefaults ?? {}) }
  }
  for (const column of Object.keys(workOrders.insertDefaults ?? {})) requireIdentifier(column, `mapping.workOrders.insertDefaults.${column}`)

  const attachments = opts.attachments ?? { type: 'database' as const }
  if (attachments.type !== 'database' && attachments.type !== 'directory') {
    throw new OptionsError('attachments.type', 'must be "database" or "directory"')
  }
  if (attachments.type === 'directory' && (typeof attachments.directory !== 'string' || attachments.directory.length === 0)) {
    throw new OptionsError('attachments.directory', 'is required when attachments.type is "directory"')
  }
  const inbound = opts.inbound ?? {}
  if (inbound.closedReplies !== undefined && inbound.closedReplies !== 'reopen' && inbound.closedReplies !== 'new') {
    throw new OptionsError('inbound.closedReplies', 'must be "reopen" or "new"')
  }
  for (const key of ['reopenWithinDays', 'maxMessageBytes', 'confirmationsPerHour'] as const) {
    const value = inbound[key]
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) throw new OptionsError(`inbound.${key}`, 'must be a non-negative integer')
  }
  const mail = opts.mail ?? {}
  for (const [i, mb] of (mail.mailboxes ?? []).entries()) {
    if (!mb || typeof mb.url !== 'string' || !/^imaps?:\/\//.test(mb.url)) {
      throw new OptionsError(`mail.mailboxes[${i}].url`, 'must be an imap:// or imaps:// URL')
    }
    const ownSmtp = URL.canParse(mb.url) ? new URL(mb.url).searchParams.get('smtp') : null
    if (ownSmtp !== null && !/^smtps?:\/\/[^/?#]+/.test(ownSmtp)) {
      throw new OptionsError(`mail.mailboxes[${i}].url`, 'has a ?smtp= parameter that is not a URL-encoded smtp:// or smtps:// URL')
    }
    if (mb.initialSync !== undefined && mb.initialSync !== 'new-only' && mb.initialSync !== 'all') {
      throw new OptionsError(`mail.mailboxes[${i}].initialSync`, "must be 'new-only' or 'all'")
    }
    if (mb.authservId !== undefined && (typeof mb.authservId !== 'string' || !AUTHSERV_ID.test(mb.authservId))) {
      throw new OptionsError(
        `mail.mailboxes[${i}].authservId`,
        'must be the host name the receiving server writes in Authentication-Results (e.g. mx.example.it)'
      )
    }
    if (mb.confirmUnauthenticated !== undefined && typeof mb.confirmUnauthenticated !== 'boolean') {
      throw new OptionsError(`mail.mailboxes[${i}].confirmUnauthenticated`, 'must be true or false')
    }
  }
  for (const key of ['outboxPollMs', 'outboxMaxAttempts', 'outboxClaimTtlMs', 'maxAttachmentBytes', 'maxOutboundBytes'] as const) {
    const value = mail[key]
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new OptionsError(`mail.${key}`, 'must be a positive integer')
  }
  if (
    mail.outboxBackoff !== undefined &&
    !(
      Number.isInteger(mail.outboxBackoff?.baseMs) &&
      Number.isInteger(mail.outboxBackoff?.maxMs) &&
      mail.outboxBackoff.baseMs > 0 &&
      mail.outboxBackoff.maxMs >= mail.outboxBackoff.baseMs
    )
  ) {
    throw new OptionsError('mail.outboxBackoff', 'must be { baseMs, maxMs } with 0 < baseMs <= maxMs (milliseconds)')
  }
  for (const key of ['maxIngestAttempts', 'relayProbeMs'] as const) {
    const value = mail[key]
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new OptionsError(`mail.${key}`, 'must be a positive integer')
  }
  const alerts = mail.failureAlerts
  if (alerts !== undefined) {
    if (!Array.isArray(alerts?.to) || alerts.to.length === 0 || alerts.to.some((a) => typeof a !== 'string' || !/^[^\s@<>]+@[^\s@<>]+$/.test(a))) {
      throw new OptionsError('mail.failureAlerts.to', 'must be a non-empty list of email addresses')
    }
    for (const key of ['afterMs', 'checkMs'] as const) {
      const value = alerts[key]
      if (value !== undefined && (!Number.isInteger(value) || value < 1))
        throw new OptionsError(`mail.failureAlerts.${key}`, 'must be a positive integer (milliseconds)')
    }
  }
  if (mail.smtp && (typeof mail.smtp.url !== 'string' || !/^smtps?:\/\//.test(mail.smtp.url))) {
    throw new OptionsError('mail.smtp.url', 'must be an smtp:// or smtps:// URL')
  }

  return {
    knex: opts.knex,
    database: opts.database,
    mapping: { contributors, workOrders },
    genericContributorId: opts.genericContributorId as number,
    authorize: opts.authorize,
    prefix: prefix.replace(/\/+$/, '') || '/',
    locale,
    attachments,
    mail: {
      mailboxes: mail.mailboxes ?? [],
      smtp: mail.smtp,
      from: mail.from,
      startWorkers: mail.startWorkers ?? true,
      leaseTtlMs: mail.leaseTtlMs,
      backoff: mail.backoff,
      oauthRedirectUrl: mail.oauthRedirectUrl,
      outboxPollMs: mail.outboxPollMs ?? 1000,
      outboxBackoff: mail.outboxBackoff ?? { baseMs: 30_000, maxMs: 3_600_000 },
      outboxMaxAttempts: mail.outboxMaxAttempts ?? 10,
      outboxClaimTtlMs: mail.outboxClaimTtlMs ?? 300_000,
      maxAttachmentBytes: mail.maxAttachmentBytes ?? 10 * 1024 * 1024,
      maxOutboundBytes: mail.maxOutboundBytes ?? 25 * 1024 * 1024,
      maxIngestAttempts: mail.maxIngestAttempts ?? 3,
      relayProbeMs: mail.relayProbeMs ?? 3000,
      failureAlerts: alerts ? { to: alerts.to, afterMs: alerts.afterMs ?? 900_000, checkMs: alerts.checkMs ?? 30_000 } : null
    },
    secret: opts.secret,
    organizationName: opts.organizationName ?? 'Ente gestore',
    migrate: opts.migrate ?? true,
    instanceId: opts.instanceId,
    inbound: {
      closedReplies: inbound.closedReplies ?? 'reopen',
      reopenWithinDays: inbound.reopenWithinDays ?? 30,
      maxMessageBytes: inbound.maxMessageBytes ?? 40 * 1024 * 1024,
      confirmationsPerHour: inbound.confirmationsPerHour ?? 3
    },
    calendar: opts.calendar ?? {},
    standards: opts.standards ?? {},
    arera: validateAreraOptions(opts.arera, mail.from),
    intake: resolveIntakeOptions(opts.intake),
    antivirus: resolveAntivirusOptions(opts.antivirus),
    retention: resolveRetentionOptions(opts.retention),
    notifications: resolveNotificationOptions(opts.notifications),
    live: resolveLiveOptions(opts.live)
  }
}

function resolveNotificationOptions(input: NotificationOptions | undefined): Required<NotificationOptions> {
  for (const key of ['everyMs', 'quietMs'] as const) {
    const value = input?.[key]
    if (value !== undefined && (!Number.isInteger(value) || value < 1))
      throw new OptionsError(`notifications.${key}`, 'must be a positive integer (milliseconds)')
  }
  return { everyMs: input?.everyMs ?? 60_000, quietMs: input?.quietMs ?? 15 * 60_000 }
}

/** The outbox and attachment settings, with their defaults filled in. */
export type OutboundLimits = Required<
  Pick<MailOptions, 'outboxPollMs' | 'outboxBackoff' | 'outboxMaxAttempts' | 'outboxClaimTtlMs' | 'maxAttachmentBytes' | 'maxOutboundBytes'>
>

export interface ResolvedOptions {
  knex: Knex | undefined
  database: Knex.Config | undefined
  mapping: HostMapping
  genericContributorId: number
  authorize: AuthorizeHook
  prefix: string
  locale: 'it' | 'en'
  attachments: AttachmentStorageOption
  mail: Required<Pick<MailOptions, 'mailboxes' | 'startWorkers' | 'maxIngestAttempts' | 'relayProbeMs'>> &
    Pick<MailOptions, 'smtp' | 'from' | 'leaseTtlMs' | 'backoff' | 'oauthRedirectUrl'> &
    OutboundLimits & {
      failureAlerts: Required<FailureAlertOptions> | null
    }
  secret: string
  organizationName: string
  migrate: boolean
  instanceId: string | undefined
  inbound: Required<InboundOptions>
  calendar: WorkingCalendarOptions
  standards: StandardOverrides
  arera: ResolvedAreraOptions
  intake: ResolvedIntakeOptions
  antivirus: ResolvedAntivirusOptions | null
  retention: ResolvedRetentionOptions
  notifications: Required<NotificationOptions>
  live: ResolvedLiveOptions
}

/**
 * Checks the mapping against the live schema: every table and column exists, and the generic contributor row
 * exists. Runs at registration so a wrong mapping fails loudly before any route serves.
 */
export async function validateAgainstDatabase(knex: Knex, options: ResolvedOptions): Promise<void> {
  const { contributors, workOrders } = options.mapping
  const checks: Array<[string, string, Array<[string, string | undefined]>]> = [
    [
      'mapping.contributors',
      contributors.table,
      [
        ['id', contributors.id],
        ['displayName', contributors.displayName],
        ['fiscalCode', contributors.fiscalCode],
        ['municipality', contributors.municipality],
        ['userType', contributors.userType],
        ['activeFrom', contributors.activeFrom],
        ['activeTo', contributors.activeTo],
        ...contributors.emails.map((e, i): [string, string] => [`emails[${i}]`, e])
      ]
    ],
    [
      'mapping.workOrders',
      workOrders.table,
      [
        ['id', workOrders.id],
        ['contributorId', workOrders.contributorId],
        ['status', workOrders.status],
        ['subject', workOrders.subject],
        ['description', workOrders.description],
        ['type', workOrders.type],
        ['createdAt', workOrders.createdAt],
        ...Object.keys(workOrders.insertDefaults ?? {}).map((col): [string, string] => [`insertDefaults.${col}`, col])
      ]
    ]
  ]
  for (const [prefix, table, columns] of checks) {
    const present = await tableColumns(knex, table)
    if (!present) throw new OptionsError(`${prefix}.table`, `names table "${table}", which does not exist`)
    for (const [key, column] of columns) {
      if (column !== undefined && !present.has(column.toLowerCase())) {
        throw new OptionsError(`${prefix}.${key}`, `names column "${column}", which does not exist in table "${table}"`)
      }
    }
  }
}
