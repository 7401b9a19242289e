// The SMTP side of the outbox: one pooled nodemailer transport per module instance, and the judgement of a send
// error as temporary (try again later) or permanent (the server refused the mail for good).
import nodemailer, { type Transporter } from 'nodemailer'
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js'

export type SmtpTransport = Transporter<SMTPTransport.SentMessageInfo>

export interface SmtpTransportOptions {
  /** Parallel connections to the relay (default 3). */
  maxConnections?: number
  /** Connection, greeting and socket timeouts in ms (default 30 s): a hung relay becomes a temporary failure. */
  timeoutMs?: number
  /**
   * Sign in with SASL XOAUTH2 as `user` instead of the URL's password. Nodemailer asks `accessToken(false)` for
   * each login and, when the server refuses the token (334 error challenge, then 535), `accessToken(true)` once.
   */
  oauth2?: { user: string; accessToken(renew: boolean): Promise<string> }
}

/**
 * `smtp://host:port` (plain, STARTTLS when offered), `smtps://host:port` (TLS from the start); user and password
 * URL-encoded in the authority. `?tls=insecure` accepts a self-signed certificate (internal relays).
 */
export function createSmtpTransport(url: string, options: SmtpTransportOptions = {}): SmtpTransport {
  const u = new URL(url)
  const secure = u.protocol === 'smtps:'
  const timeout = options.timeoutMs ?? 30_000
  const transportOptions: SMTPTransport.Options & { pool: true; maxConnections: number; maxMessages: number } = {
    pool: true,
    maxConnections: options.maxConnections ?? 3,
    maxMessages: 500,
    host: u.hostname,
    port: u.port ? Number(u.port) : secure ? 465 : 25,
    secure,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    ...(options.oauth2
      ? { auth: xoauth2(options.oauth2) }
      : u.username
        ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } }
        : {}),
    ...(u.searchParams.get('tls') === 'insecure' ? { tls: { rejectUnauthorized: false } } : {})
  }
  return nodemailer.createTransport(transportOptions)
}

function xoauth2(oauth2: NonNullable<SmtpTransportOptions['oauth2']>): SMTPTransport.Options['auth'] {
  return {
    type: 'OAuth2',
    user: oauth2.user,
    provisionCallback: (_user: string, renew: boolean, callback: (err: Error | null, accessToken?: string) => void) => {
      oauth2.accessToken(renew).then(
        (token) => callback(null, token),
        (err: Error) => callback(err)
      )
    }
  }
}

/** Throws unless the value is an `smtp://` or `smtps://` URL with a host; returns it unchanged. */
export function assertSmtpUrl(url: string): string {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new Error('not a valid SMTP URL')
  }
  if ((u.protocol !== 'smtp:' && u.protocol !== 'smtps:') || !u.hostname) throw new Error(`not an SMTP URL: ${u.protocol}`)
  return url
}

/** An outgoing server as administrators see it: never its password. */
export interface SmtpServerView {
  host: string
  port: number
  secure: boolean
  username: string | null
  hasPassword: boolean
}

export function describeSmtpUrl(url: string): SmtpServerView {
  const u = new URL(url)
  const secure = u.protocol === 'smtps:'
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : secure ? 465 : 25,
    secure,
    username: u.username ? decodeURIComponent(u.username) : null,
    hasPassword: u.password !== ''
  }
}

export interface SendFailure {
  permanent: boolean
  /** What the operator reads in the conversation: the server's reply when there is one. */
  message: string
  responseCode: number | null
  /** No SMTP reply at all: the relay is down or unreachable. */
  unreachable: boolean
}

/** Errors we raise while composing: the mail cannot be built, so trying again would not help. */
export class ComposeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ComposeError'
  }
}

/** The mail cannot be composed yet (an attachment is still being scanned): try again soon, without counting an attempt. */
export class ComposeHold extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number
  ) {
    super(message)
    this.name = 'ComposeHold'
  }
}

/**
 * 5xx replies are permanent (RFC 5321: do not repeat the same transaction); 4xx replies and network errors are
 * temporary. A refused login (535) is counted as temporary: it is a configuration problem the administrator can
 * fix, and the mail should go out once they have.
 */
export function classifySendError(err: unknown): SendFailure {
  if (err instanceof ComposeError) return { permanent: true, message: err.message, responseCode: null, unreachable: false }
  const e = (err ?? {}) as { responseCode?: unknown; response?: unknown; code?: unknown; message?: unknown }
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : null
  const response = typeof e.response === 'string' && e.response.trim() ? e.response.trim() : null
  const message = (response ?? (typeof e.message === 'string' ? e.message : String(err))).slice(0, 2000)
  if (e.code === 'EAUTH') return { permanent: false, message, responseCode, unreachable: false }
  if (responseCode !== null && responseCode >= 500) return { permanent: true, message, responseCode, unreachable: false }
  if (responseCode !== null && responseCode >= 400) return { permanent: false, message, responseCode, unreachable: false }
  // No reply code: the relay is down, slow or unreachable (ECONNREFUSED, ETIMEDOUT, ESOCKET, …), which says
  // nothing about the mail itself; after outboxMaxAttempts it still ends as failed.
  return { permanent: false, message, responseCode, unreachable: responseCode === null }
}

/** Exponential backoff with ±20 % jitter, so instances that failed together do not retry together. */
export function retryDelayMs(attempt: number, backoff: { baseMs: number; maxMs: number }, random: () => number = Math.random): number {
  const exponential = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1))
  return Math.max(1, Math.round(exponential * (0.8 + 0.4 * random())))
}
