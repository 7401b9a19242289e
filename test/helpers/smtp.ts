// Private SMTP server for integration tests, built on the `smtp-server`
// package: 127.0.0.1, a free port, plain text (STARTTLS disabled), no
// authentication required. Every accepted message is kept with its envelope,
// raw bytes and mailparser's parsed form. It can be told to reject (4xx/5xx on
// MAIL FROM, RCPT TO or DATA) and be stopped and started again on the same
// port to simulate an outbound relay that goes down and comes back.

import { setTimeout as sleep } from 'node:timers/promises'
import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server'
import { freePort } from './free-port.js'

export const SMTP_HOST = '127.0.0.1'

export type SmtpStage = 'MAIL' | 'RCPT' | 'DATA'

export interface ReceivedMessage {
  envelope: {
    /** MAIL FROM address; '' for the null sender `<>`. */
    from: string
    /** RCPT TO addresses in order. */
    to: string[]
  }
  raw: Buffer
  parsed: ParsedMail
  session: {
    id: string
    remoteAddress: string
    /** Name the client gave in EHLO/HELO. */
    clientName: string
    /** User name if the client authenticated (any credentials are accepted, unless `oauth2` is set). */
    user: string | undefined
    /** The SASL mechanism the client authenticated with (PLAIN, LOGIN, XOAUTH2). */
    authMethod: string | undefined
  }
  receivedAt: Date
}

export interface RejectedAttempt {
  stage: SmtpStage
  code: number
  message: string
  /** Envelope as far as the client got. */
  envelope: { from: string; to: string[] }
  /** The RCPT TO address that was rejected (stage RCPT). */
  recipient?: string
  at: Date
}

export interface FailWithOptions {
  /** Command that gets the error (default DATA, i.e. after the whole message was sent). */
  on?: SmtpStage
  /** Fail only this many times, then accept again (default: until clearFailure()). */
  times?: number
  /** Stage RCPT only: reject just these recipients (case-insensitive); default all. */
  recipients?: string[]
}

export interface StartSmtpServerOptions {
  /** Registers `stop()` with `t.teardown()`. */
  t?: { teardown(fn: () => unknown): void }
  /** Listen on this port instead of a free one. */
  port?: number
  /** Maximum message size advertised with SIZE; bigger messages get 552. */
  size?: number
  /** Name in the greeting (default "smtp.test.local"). */
  name?: string
  /**
   * Offer XOAUTH2 too and check its bearer tokens with `introspect` (e.g. at an OAuth2 provider): accepted only
   * when active and issued to the user the client names. A refused token gets the RFC 7628 error challenge, then
   * 535. PLAIN/LOGIN keep accepting anything.
   */
  oauth2?: { introspect(token: string): Promise<{ active: boolean; username?: string }> }
}

/** One AUTH exchange as the server saw it. */
export interface AuthAttempt {
  method: string
  username: string | undefined
  accepted: boolean
}

export interface SmtpTestServer {
  readonly host: string
  readonly port: number
  /** `smtp://127.0.0.1:<port>` */
  readonly url: string
  readonly running: boolean
  /** Accepted messages, in arrival order (the live array). */
  readonly messages: ReceivedMessage[]
  /** Every rejection sent because of failWith(). */
  readonly rejected: RejectedAttempt[]
  /** Every AUTH exchange, in order. */
  readonly auths: AuthAttempt[]
  /** Options for nodemailer.createTransport(): plain SMTP to this server, no TLS. */
  transportOptions(): { host: string; port: number; secure: false; ignoreTLS: true }
  /**
   * Reject with `code` (e.g. 550 permanent, 451 temporary) and `message`.
   * Default stage DATA; see FailWithOptions.
   */
  failWith(code: number, message?: string, options?: FailWithOptions): void
  /** Accept everything again. */
  clearFailure(): void
  /** Forget received and rejected messages (and any failure). */
  reset(): void
  /** Resolves with the messages once at least `count` were accepted. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMessage[]>
  /** Closes the port and drops open sessions (421), like a relay going down. Keeps the messages. */
  stop(): Promise<void>
  /** Listens again on the same port. */
  start(): Promise<void>
}

interface Failure {
  code: number
  message: string
  on: SmtpStage
  remaining: number
  recipients: Set<string> | undefined
}

function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code })
}

function defaultMessage(code: number): string {
  return code >= 500 ? 'Requested action not taken: mailbox unavailable' : 'Requested action aborted: try again later'
}

function envelopeOf(session: SMTPServerSession): { from: string; to: string[] } {
  return {
    from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
    to: session.envelope.rcptTo.map((r) => r.address)
  }
}

class TestSmtpServer implements SmtpTestServer {
  readonly host = SMTP_HOST
  readonly messages: ReceivedMessage[] = []
  readonly rejected: RejectedAttempt[] = []
  readonly auths: AuthAttempt[] = []
  private server: SMTPServer | undefined
  private failure: Failure | undefined
  private waiters = new Set<() => void>()
  private readonly authMethods = new Map<string, string>()
  private readonly refusedTokens = new Set<string>()

  constructor(
    public port: number,
    private readonly options: StartSmtpServerOptions
  ) {}

  get url(): string {
    return `smtp://${this.host}:${this.port}`
  }

  get running(): boolean {
    return this.server !== undefined
  }

  transportOptions(): { host: string; port: number; secure: false; ignoreTLS: true } {
    return { host: this.host, port: this.port, secure: false, ignoreTLS: true }
  }

  failWith(code: number, message?: string, options: FailWithOptions = {}): void {
    if (!Number.isInteger(code) || code < 400 || code > 599) throw new Error(`failWith: ${code} is not a 4xx/5xx SMTP reply code`)
    const on = options.on ?? 'DATA'
    if (options.recipients !== undefined && on !== 'RCPT') throw new Error('failWith: `recipients` only applies to { on: "RCPT" }')
    this.failure = {
      code,
      message: message ?? defaultMessage(code),
      on,
      remaining: options.times ?? Number.POSITIVE_INFINITY,
      recipients: options.recipients === undefined ? undefined : new Set(options.recipients.map((r) => r.toLowerCase()))
    }
  }

  clearFailure(): void {
    this.failure = undefined
  }

  reset(): void {
    this.messages.length = 0
    this.rejected.length = 0
    this.failure = undefined
  }

  /** The error to answer `stage` with, or undefined to accept; counts down `times`. */
  private takeFailure(stage: SmtpStage, session: SMTPServerSession, recipient?: string): Error | undefined {
    const f = this.failure
    if (f === undefined || f.on !== stage || f.remaining <= 0) return undefined
    if (recipient !== undefined && f.recipients !== undefined && !f.recipients.has(recipient.toLowerCase())) return undefined
    f.remaining--
    if (f.remaining <= 0) this.failure = undefined
    const attempt: RejectedAttempt = { stage, code: f.code, message: f.message, envelope: envelopeOf(session), at: new Date() }
    if (recipient !== undefined) attempt.recipient = recipient
    this.rejected.push(attempt)
    return smtpError(f.code, f.message)
  }

  private async onData(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of stream) chunks.push(chunk as Buffer)
    if (stream.sizeExceeded) throw smtpError(552, 'Message exceeds the maximum size')
    const failure = this.takeFailure('DATA', session)
    if (failure !== undefined) throw failure
    const raw = Buffer.concat(chunks)
    // Parsed before the reply, so a resolved sendMail() means the message is already in `messages`.
    const parsed = await simpleParser(raw)
    this.messages.push({
      envelope: envelopeOf(session),
      raw,
      parsed,
      session: {
        id: session.id,
        remoteAddress: session.remoteAddress,
        clientName: session.hostNameAppearsAs,
        user: typeof session.user === 'string' ? session.user : undefined,
        authMethod: this.authMethods.get(session.id)
      },
      receivedAt: new Date()
    })
    for (const wake of this.waiters) wake()
  }

  private createServer(): SMTPServer {
    return new SMTPServer({
      name: this.options.name ?? 'smtp.test.local',
      banner: 'test SMTP server',
      logger: false,
      disabledCommands: ['STARTTLS'],
      hideSTARTTLS: true,
      authOptional: true,
      // Clients configured with credentials still work: any user/password is
      // accepted over plain text and recorded as session.user.
      allowInsecureAuth: true,
      ...(this.options.oauth2 ? { authMethods: ['PLAIN', 'LOGIN', 'XOAUTH2'] } : {}),
      onAuth: (auth, session, callback) => {
        const oauth2 = this.options.oauth2
        if (auth.method !== 'XOAUTH2' || !oauth2) {
          this.auths.push({ method: auth.method, username: auth.username, accepted: true })
          this.authMethods.set(session.id, auth.method)
          callback(null, { user: auth.username ?? 'anonymous' })
          return
        }
        oauth2.introspect(auth.accessToken ?? '').then(
          (result) => {
            const accepted = result.active && result.username === auth.username
            // smtp-server asks again after the client acknowledged the error challenge: one exchange, one entry
            const key = `${session.id}\u0000${auth.username ?? ''}\u0000${auth.accessToken ?? ''}`
            if (!this.refusedTokens.has(key)) this.auths.push({ method: auth.method, username: auth.username, accepted })
            if (!accepted) this.refusedTokens.add(key)
            if (!accepted) return callback(null, { data: { status: '401', schemes: 'bearer', scope: 'mail' } })
            this.authMethods.set(session.id, auth.method)
            callback(null, { user: auth.username })
          },
          (err: Error) => callback(err)
        )
      },
      disableReverseLookup: true,
      ...(this.options.size !== undefined ? { size: this.options.size } : {}),
      // stop() drops sessions itself; this only bounds server.close().
      closeTimeout: 1000,
      onMailFrom: (_address: SMTPServerAddress, session, callback) => {
        callback(this.takeFailure('MAIL', session) ?? null)
      },
      onRcptTo: (address: SMTPServerAddress, session, callback) => {
        callback(this.takeFailure('RCPT', session, address.address) ?? null)
      },
      onData: (stream, session, callback) => {
        this.onData(stream, session).then(
          () => callback(),
          (err: Error) => {
            // The stream must be drained even when failing early.
            stream.resume()
            callback(err)
          }
        )
      }
    })
  }

  /** One attempt to listen on this.port. */
  async listenOnce(): Promise<void> {
    if (this.server !== undefined) return
    const server = this.createServer()
    server.on('error', () => {
      /* per-connection errors; listen errors reject below */
    })
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err)
      server.server.once('error', onError)
      server.listen(this.port, this.host, () => {
        server.server.off('error', onError)
        resolve()
      })
    })
    this.server = server
  }

  async start(): Promise<void> {
    // The port may be held for a moment by someone else (a parallel test that
    // grabbed it while we were down): retry for up to 5 s.
    const deadline = Date.now() + 5000
    for (;;) {
      try {
        await this.listenOnce()
        return
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || Date.now() > deadline) throw err
        await sleep(50)
      }
    }
  }

  async stop(): Promise<void> {
    const server = this.server
    if (server === undefined) return
    this.server = undefined
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    // Drop open sessions now (pooled clients would keep them for minutes),
    // answering 421 like an MTA that shuts down.
    for (const connection of [...server.connections]) {
      try {
        connection.send(421, `${this.options.name ?? 'smtp.test.local'} Service not available, closing transmission channel`)
        connection.close()
      } catch {
        /* socket already gone */
      }
    }
    await closed
  }

  waitFor(count: number, timeoutMs = 5000): Promise<ReceivedMessage[]> {
    if (this.messages.length >= count) return Promise.resolve(this.messages.slice())
    return new Promise((resolve, reject) => {
      const wake = (): void => {
        if (this.messages.length < count) return
        clearTimeout(timer)
        this.waiters.delete(wake)
        resolve(this.messages.slice())
      }
      const timer = setTimeout(() => {
        this.waiters.delete(wake)
        const rejections = this.rejected.map((r) => `${r.stage} ${r.code}`).join(', ')
        reject(
          new Error(
            `SMTP test server on port ${this.port}: expected ${count} message(s) within ${timeoutMs} ms, got ${this.messages.length}` +
              (rejections === '' ? '' : ` (rejected: ${rejections})`)
          )
        )
      }, timeoutMs)
      this.waiters.add(wake)
    })
  }
}

/** Starts an SMTP server on 127.0.0.1 (free port unless `options.port`). */
export async function startSmtpServer(options: StartSmtpServerOptions = {}): Promise<SmtpTestServer> {
  const server = new TestSmtpServer(options.port ?? (await freePort(SMTP_HOST)), options)
  if (options.t !== undefined) options.t.teardown(() => server.stop())
  if (options.port === undefined) {
    // Lost the race for the free port: pick another one.
    for (let attempt = 1; ; attempt++) {
      try {
        await server.listenOnce()
        break
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 5) throw err
        server.port = await freePort(SMTP_HOST)
      }
    }
  } else {
    await server.start()
  }
  return server
}
