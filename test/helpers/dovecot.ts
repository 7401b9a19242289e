// Private Dovecot IMAP server for integration tests.
//
// Every call to startDovecot() runs its own `dovecot -F -c <config>` child
// process with everything (config, base_dir, state_dir, log, passwd-file,
// maildirs) under a fresh temporary directory, listening on 127.0.0.1 on a
// free unprivileged port. Test files run in parallel under tap: instances
// share nothing, so they do not interfere with each other nor with a system
// Dovecot (which .ci/install-mail-servers.sh stops anyway).
//
// Works as root (CI) and as an ordinary user:
// - as root, the Debian system users `dovecot` (default_internal_user) and
//   `dovenull` (default_login_user) run the auth/login processes as usual and
//   mailbox access (mail_uid/mail_gid) runs as `nobody:nogroup`, because
//   Dovecot refuses to access mail as root (first_valid_uid);
// - as any other user, every Dovecot process runs as that user (Dovecot's
//   documented "non-root" mode: all *_user settings point at ourselves).
//
// Supports Dovecot 2.3 (Debian 12) and 2.4 (Debian 13), whose configuration
// syntax differs; the version comes from `dovecot --version`.
//
// Crash safety: the master is spawned through `setpriv --pdeathsig KILL`
// (util-linux) when available, so the kernel kills it even if the test
// process dies with SIGKILL (its children follow the master). A process
// 'exit' hook kills whatever is still running and removes the temp dirs;
// temp dirs of test processes that died without it are swept by the next
// startDovecot() call.
//
// Debugging: DOVECOT_TEST_VERBOSE=1 turns on auth/mail debug logging,
// DOVECOT_TEST_KEEP=1 keeps the temp dirs (config, log, maildirs); with
// `t` passed, the log is printed as a tap comment when the test fails.

import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { createConnection } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { ImapFlow, type ImapFlowOptions } from 'imapflow'
import { freePort } from './free-port.js'

export const DOVECOT_HOST = '127.0.0.1'

/** Anything with tap's `t.teardown()`; passing it makes cleanup automatic. */
export interface TeardownRegistrar {
  teardown(fn: () => unknown): void
}

export interface StartDovecotOptions {
  /** Users to create before the server starts: `{ name: password }`. */
  users?: Record<string, string>
  /** Registers `destroy()` with `t.teardown()` (and prints the Dovecot log as a tap comment if the test failed). */
  t?: TeardownRegistrar
  /**
   * `mailbox_idle_check_interval` in seconds (default 1). See the comment in
   * renderConfig() for what it does and does not do.
   */
  idleCheckIntervalSecs?: number
  /** `imap_idle_notify_interval` in seconds (default: Dovecot's 120). */
  idleNotifyIntervalSecs?: number
  /** Extra lines appended verbatim to dovecot.conf. */
  extraConfig?: string
  /**
   * Also accept OAuth2 bearer tokens (SASL XOAUTH2 / OAUTHBEARER) through Dovecot's `oauth2` passdb, which
   * introspects each token at the provider (RFC 7662, POST with the resource server's client credentials) and
   * requires `active: true` and `username` equal to the login name. Password users keep working (passwd-file for
   * PLAIN/LOGIN). A user logging in with a token must still exist (addUser) for its home directory.
   */
  oauth2?: DovecotOAuth2Options
  /** auth_verbose, auth_debug, mail_debug (logged to logs()). Default: env DOVECOT_TEST_VERBOSE=1. */
  verbose?: boolean
  /** Keep the temp dir after destroy()/exit for post-mortem. Default: env DOVECOT_TEST_KEEP=1. */
  keepTempDir?: boolean
  /** How long to wait for the server to accept IMAP connections (default 20 s). */
  startTimeoutMs?: number
}

export interface DovecotOAuth2Options {
  /** The provider's introspection endpoint, e.g. `http://127.0.0.1:4000/token/introspection`. */
  introspectionUrl: string
  clientId: string
  clientSecret: string
  /** The introspection response field that holds the user name (default `username`). */
  usernameAttribute?: string
}

export interface AppendOptions {
  /** Target mailbox (default INBOX). Created first if missing unless `createFolder: false`. */
  folder?: string
  /** IMAP flags, e.g. ['\\Seen']. */
  flags?: string[]
  /** INTERNALDATE of the appended message. */
  internalDate?: Date | string
  createFolder?: boolean
}

export interface AppendResult {
  folder: string
  uid: number
  uidValidity: bigint
}

export interface DovecotUsers {
  /** Creates (or changes the password of) a user; effective for the next login, no restart needed. */
  add(name: string, password: string): Promise<void>
  has(name: string): boolean
  password(name: string): string
  list(): string[]
}

export interface DovecotInstance {
  readonly host: string
  readonly port: number
  /** Installed Dovecot version, e.g. "2.3.19.1". */
  readonly version: string
  /** Root of everything this instance writes. */
  readonly tmpDir: string
  readonly configPath: string
  readonly logPath: string
  /** Home of a user; its maildir is `<home>/Maildir`. */
  homeOf(user: string): string
  readonly users: DovecotUsers
  /** Same as `users.add()`. */
  addUser(name: string, password: string): Promise<void>
  /**
   * `imap://user:pass@127.0.0.1:port/INBOX`; user, password and each folder
   * segment URL-encoded. The hierarchy separator is "/" (e.g. "Reclami/2026");
   * Sent, Drafts, Trash and Junk exist with their special-use flags.
   */
  url(user: string, folder?: string): string
  /** ImapFlow options for `user` (plaintext, no TLS, logger off). */
  imapOptions(user: string, overrides?: Partial<ImapFlowOptions>): ImapFlowOptions
  /** A connected, logged-in ImapFlow client; the caller must `logout()` it. */
  connect(user: string, overrides?: Partial<ImapFlowOptions>): Promise<ImapFlow>
  /** APPENDs a raw RFC 5322 message over IMAP and returns its UID (UIDPLUS). */
  append(user: string, rawMessage: string | Buffer, options?: AppendOptions): Promise<AppendResult>
  /**
   * Delivers a message into the user's INBOX the way an MTA does: through `dovecot-lda -f <sender> -a <recipient>`,
   * prepending what Postfix's pipe(8) transport adds with the documented `flags=DR` (Delivered-To: the envelope
   * recipient, Return-Path: the envelope sender). Needs the Dovecot LDA (dovecot-core).
   */
  deliver(user: string, rawMessage: string | Buffer, envelope: { from: string; recipient: string }): Promise<void>
  readonly running: boolean
  readonly pid: number | undefined
  /**
   * Graceful stop: SIGTERM to the master and to the imap processes, so
   * connected clients get "* BYE Server shutting down." and a closed socket
   * at once; waits until every process of the instance is gone (master
   * SIGKILLed after 10 s). The port refuses connections afterwards. Keeps the
   * mail store and the temp dir (removed by destroy() or at process exit).
   */
  stop(): Promise<void>
  /** Starts again after stop(), on the same port with the same mail store. */
  start(): Promise<void>
  /** stop() + optional downtime + start(): same port, same mail store, same UIDVALIDITY. */
  restart(options?: { downtimeMs?: number }): Promise<void>
  /** stop() and remove the temp dir (unless keepTempDir). Idempotent. */
  destroy(): Promise<void>
  /** Dovecot's log file plus anything the master wrote to stdout/stderr. */
  logs(): string
}

// ---------------------------------------------------------------------------
// Installation check, version

const DOVECOT_CANDIDATES = ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot', '/usr/bin/dovecot']
const IMAP_BINARY_CANDIDATES = ['/usr/lib/dovecot/imap', '/usr/libexec/dovecot/imap', '/usr/local/libexec/dovecot/imap']
const LDA_CANDIDATES = ['/usr/lib/dovecot/dovecot-lda', '/usr/libexec/dovecot/dovecot-lda', '/usr/local/libexec/dovecot/dovecot-lda']
const INSTALL_HINT = 'Run `sudo .ci/install-mail-servers.sh` (Debian: apt-get install dovecot-imapd).'

let cachedBinary: { path: string; version: string } | undefined

function findInPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir === '') continue
    const candidate = join(dir, name)
    if (existsSync(candidate)) return candidate
  }
  return undefined
}

/**
 * Throws a clear error when Dovecot (with its IMAP server) is not installed.
 * Returns the path of the `dovecot` binary and its version.
 */
export function ensureDovecotInstalled(): { path: string; version: string } {
  if (cachedBinary !== undefined) return cachedBinary
  const path = findInPath('dovecot') ?? DOVECOT_CANDIDATES.find((p) => existsSync(p))
  if (path === undefined) {
    throw new Error(`Dovecot is not installed: no \`dovecot\` binary in PATH or ${DOVECOT_CANDIDATES.join(', ')}. ${INSTALL_HINT}`)
  }
  // dovecot-core without dovecot-imapd starts, but every IMAP login fails.
  const imapDirsKnown = IMAP_BINARY_CANDIDATES.some((p) => existsSync(join(p, '..')))
  if (imapDirsKnown && !IMAP_BINARY_CANDIDATES.some((p) => existsSync(p))) {
    throw new Error(`Dovecot is installed (${path}) but its IMAP server is not. ${INSTALL_HINT}`)
  }
  let version: string
  try {
    version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim().split(/\s+/)[0] ?? ''
  } catch (err) {
    throw new Error(`\`${path} --version\` failed: ${(err as Error).message}. ${INSTALL_HINT}`, { cause: err })
  }
  if (!/^\d+\.\d+/.test(version)) throw new Error(`Cannot parse the Dovecot version from \`${path} --version\`: "${version}"`)
  cachedBinary = { path, version }
  return cachedBinary
}

function isDovecot24(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map((n) => Number.parseInt(n, 10))
  return major > 2 || (major === 2 && minor >= 4)
}

// ---------------------------------------------------------------------------
// System users

interface PasswdEntry {
  name: string
  uid: number
  gid: number
}

function passwdEntry(name: string): PasswdEntry | undefined {
  let text: string
  try {
    text = readFileSync('/etc/passwd', 'utf8')
  } catch {
    return undefined
  }
  for (const line of text.split('\n')) {
    const [user, , uid, gid] = line.split(':')
    if (user === name && uid !== undefined && gid !== undefined) return { name, uid: Number(uid), gid: Number(gid) }
  }
  return undefined
}

function groupName(gid: number): string | undefined {
  let text: string
  try {
    text = readFileSync('/etc/group', 'utf8')
  } catch {
    return undefined
  }
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':')
    if (name !== undefined && id !== undefined && Number(id) === gid) return name
  }
  return undefined
}

interface ProcessUsers {
  root: boolean
  internalUser: string
  /** Only set in non-root mode (the default `dovecot` group is fine as root). */
  internalGroup?: string
  loginUser: string
  mailUid: number
  mailGid: number
}

function processUsers(): ProcessUsers {
  const uid = process.getuid?.() ?? 0
  if (uid !== 0) {
    // Non-root mode: every process runs as ourselves.
    const me = userInfo()
    const group = groupName(me.gid)
    if (group === undefined) throw new Error(`startDovecot: no /etc/group entry for gid ${me.gid} (needed for default_internal_group)`)
    return { root: false, internalUser: me.username, internalGroup: group, loginUser: me.username, mailUid: me.uid, mailGid: me.gid }
  }
  const nobody = passwdEntry('nobody')
  if (nobody === undefined) throw new Error('startDovecot as root needs the `nobody` user to own the test mailboxes')
  // Debian's dovecot-core creates both; fall back to nobody elsewhere.
  const internalUser = passwdEntry('dovecot') !== undefined ? 'dovecot' : 'nobody'
  const loginUser = passwdEntry('dovenull') !== undefined ? 'dovenull' : 'nobody'
  return { root: true, internalUser, loginUser, mailUid: nobody.uid, mailGid: nobody.gid }
}

// ---------------------------------------------------------------------------
// Config

interface ConfigInput {
  version: string
  instanceName: string
  dir: string
  port: number
  greeting: string
  users: ProcessUsers
  idleCheckIntervalSecs: number
  idleNotifyIntervalSecs: number | undefined
  verbose: boolean
  extraConfig: string
  oauth2: DovecotOAuth2Options | undefined
}

/** The `oauth2` passdb's own file (Dovecot 2.3): RFC 7662 introspection with the resource server's credentials. */
function renderOAuth2Config(o: DovecotOAuth2Options): string {
  const url = new URL(o.introspectionUrl)
  url.username = encodeURIComponent(o.clientId)
  url.password = encodeURIComponent(o.clientSecret)
  return [
    'introspection_mode = post',
    `introspection_url = ${url.href}`,
    // the token alone says nothing about the user: always ask the provider
    'force_introspection = yes',
    `username_attribute = ${o.usernameAttribute ?? 'username'}`,
    'active_attribute = active',
    'active_value = true',
    ''
  ].join('\n')
}

function renderConfig(c: ConfigInput): string {
  const v24 = isDovecot24(c.version)
  if (v24 && c.oauth2) throw new Error('startDovecot: the oauth2 option is written for Dovecot 2.3 (2.4 configures OAuth2 without a passdb)')
  const mailRoot = join(c.dir, 'mail')
  const passwd = join(c.dir, 'passwd')
  const lines: string[] = []
  const add = (...l: string[]): void => {
    lines.push(...l)
  }

  add('# Generated by test/helpers/dovecot.ts: a private, throw-away test instance.')
  if (v24) add('dovecot_config_version = 2.4.0', 'dovecot_storage_version = 2.4.0')
  add(
    `instance_name = ${c.instanceName}`,
    // Sockets, pid file, login chroot: private to this instance.
    `base_dir = ${join(c.dir, 'run')}`,
    `state_dir = ${join(c.dir, 'state')}`,
    `log_path = ${join(c.dir, 'dovecot.log')}`,
    'protocols = imap',
    `listen = ${DOVECOT_HOST}`,
    'ssl = no',
    // Plaintext LOGIN/AUTH PLAIN without TLS (renamed in 2.4).
    v24 ? 'auth_allow_cleartext = yes' : 'disable_plaintext_auth = no',
    c.oauth2 ? 'auth_mechanisms = plain login xoauth2 oauthbearer' : 'auth_mechanisms = plain login',
    // Keep user names as given (default lowercases them).
    v24 ? 'auth_username_format = %{user}' : 'auth_username_format = %u',
    // Allow any character in user names ("+", "%", ...; the default set is
    // letters, digits and ".-_@"). Test user names are validated by addUser().
    'auth_username_chars =',
    // A wrong password is answered after ~0.5 s (Dovecot's failure queue is
    // flushed every 500 ms) instead of after 2 s.
    'auth_failure_delay = 0',
    // Loopback clients may send ID/XCLIENT-style session data (original IP).
    'login_trusted_networks = 127.0.0.0/8',
    `login_greeting = ${c.greeting}`,
    `default_internal_user = ${c.users.internalUser}`,
    `default_login_user = ${c.users.loginUser}`,
    ...(c.users.internalGroup !== undefined ? [`default_internal_group = ${c.users.internalGroup}`] : []),
    `mail_uid = ${c.users.mailUid}`,
    `mail_gid = ${c.users.mailGid}`,
    `first_valid_uid = ${Math.min(c.users.mailUid, 500)}`,
    `first_valid_gid = ${Math.min(c.users.mailGid, 1)}`,
    // The plugin, the test and helpers may all be logged in as the same user
    // from 127.0.0.1; the default limit of 10 is easy to hit.
    'mail_max_userip_connections = 200',
    // Durability across OS crashes is irrelevant here; restart() is graceful.
    'mail_fsync = never',
    // IDLE: Dovecot learns about new mail through inotify on the maildir and
    // then waits a fixed ~0.5 s (index-mailbox-check.c, NOTIFY_DELAY_MSECS) to
    // batch changes before sending EXISTS. mailbox_idle_check_interval is the
    // *fallback* poll interval (default 30 s) used when inotify is unavailable
    // or exhausted (fs.inotify.max_user_instances with many parallel
    // instances, overlay/network file systems); 1 s bounds the worst case.
    `mailbox_idle_check_interval = ${c.idleCheckIntervalSecs} secs`
  )
  // imap_idle_notify_interval is only the "* OK Still here" keepalive period
  // during IDLE; it has no effect on how fast EXISTS is delivered.
  if (c.idleNotifyIntervalSecs !== undefined) add(`imap_idle_notify_interval = ${c.idleNotifyIntervalSecs} secs`)
  if (c.verbose) add('auth_verbose = yes', 'auth_debug = yes', 'mail_debug = yes', 'verbose_proctitle = yes')

  if (v24) {
    add(
      'mail_driver = maildir',
      'mail_path = ~/Maildir',
      `mail_home = ${mailRoot}/%{user}`,
      'passdb passwd-file {',
      `  passwd_file_path = ${passwd}`,
      '  default_password_scheme = PLAIN',
      '}',
      'userdb passwd-file {',
      `  passwd_file_path = ${passwd}`,
      '  fields {',
      `    home = ${mailRoot}/%{user}`,
      '  }',
      '}'
    )
  } else {
    if (c.oauth2) {
      // Tokens first, and only for the token mechanisms: a password never reaches the provider.
      add('passdb {', '  driver = oauth2', '  mechanisms = xoauth2 oauthbearer', `  args = ${join(c.dir, 'dovecot-oauth2.conf.ext')}`, '}')
    }
    add(
      'mail_location = maildir:~/Maildir',
      'passdb {',
      ...(c.oauth2 ? ['  mechanisms = plain login'] : []),
      '  driver = passwd-file',
      `  args = scheme=PLAIN username_format=%u ${passwd}`,
      '}',
      'userdb {',
      '  driver = passwd-file',
      `  args = username_format=%u ${passwd}`,
      `  default_fields = home=${mailRoot}/%u`,
      '}'
    )
  }
  add(
    // "/" like most real servers (maildir's default would be ".").
    'namespace inbox {',
    '  inbox = yes',
    '  separator = /',
    '  mailbox Drafts {',
    '    special_use = \\Drafts',
    '    auto = subscribe',
    '  }',
    '  mailbox Junk {',
    '    special_use = \\Junk',
    '    auto = subscribe',
    '  }',
    '  mailbox Sent {',
    '    special_use = \\Sent',
    '    auto = subscribe',
    '  }',
    '  mailbox Trash {',
    '    special_use = \\Trash',
    '    auto = subscribe',
    '  }',
    '}',
    // Disable the anvil auth penalty: after a failed login Dovecot otherwise
    // delays every further login from the same IP (127.0.0.1 = every test)
    // by 2, 4, 8 up to 15 s. The auth process cannot connect to a mode-0
    // socket, which is Dovecot's documented way to turn the penalty off
    // (measured: 4 s for the first login after two failures without it).
    'service anvil {',
    '  unix_listener anvil-auth-penalty {',
    '    mode = 0',
    '  }',
    '}',
    'service imap-login {',
    '  inet_listener imap {',
    `    ${v24 ? 'listen' : 'address'} = ${DOVECOT_HOST}`,
    `    port = ${c.port}`,
    '  }',
    '  inet_listener imaps {',
    '    port = 0',
    '  }',
    '}'
  )
  if (!c.users.root) {
    // Non-root mode: chroot() is impossible, run login processes unchrooted.
    add('service imap-login {', '  chroot =', '}', 'service anvil {', '  chroot =', '}')
  }
  if (c.extraConfig !== '') add(c.extraConfig)
  return lines.join('\n') + '\n'
}

// ---------------------------------------------------------------------------
// Process bookkeeping: kill everything on exit, even after a crash.

interface LiveEntry {
  child: ChildProcess | undefined
  dir: string
  keep: boolean
  titlePrefix: string
}
const live = new Set<LiveEntry>()
let exitHookInstalled = false

/**
 * Dovecot's child processes of one instance, found by their process title
 * ("dovecot-<instance_name>/imap", "dovecot-<instance_name>/auth", ...), which
 * also finds them after the master is gone and they were re-parented.
 */
function instanceProcesses(titlePrefix: string): Array<{ pid: number; service: string }> {
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return []
  }
  const found: Array<{ pid: number; service: string }> = []
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue
    let cmdline: string
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'latin1')
    } catch {
      continue
    }
    if (!cmdline.startsWith(titlePrefix)) continue
    found.push({ pid: Number(entry), service: cmdline.slice(titlePrefix.length).split(/[\0 ]/)[0] ?? '' })
  }
  return found
}

function signalAll(pids: Iterable<number>, signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal)
    } catch {
      /* gone already */
    }
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on('exit', () => {
    for (const entry of live) {
      // 'exit' handlers must be synchronous: SIGKILL, then remove the files.
      if (entry.child?.exitCode === null && entry.child.signalCode === null) {
        try {
          entry.child.kill('SIGKILL')
        } catch {
          /* already gone */
        }
      }
      signalAll(
        instanceProcesses(entry.titlePrefix).map((p) => p.pid),
        'SIGKILL'
      )
      if (!entry.keep) {
        try {
          rmSync(entry.dir, { recursive: true, force: true, maxRetries: 3 })
        } catch {
          /* best effort */
        }
      }
    }
    live.clear()
  })
}

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p))

const TMP_PREFIX = 'dvt-'
const OWNER_FILE = 'owner.pid'
const KEEP_FILE = 'keep'

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Removes temp dirs left behind by test processes that died without running
 * their 'exit' hook (SIGKILL, tap timeout). Their Dovecot is already gone:
 * the master dies with its parent (pdeathsig) and the children follow it.
 */
function sweepStaleTempDirs(): void {
  let entries: string[]
  try {
    entries = readdirSync(tmpdir())
  } catch {
    return
  }
  for (const entry of entries) {
    if (!entry.startsWith(TMP_PREFIX)) continue
    const dir = join(tmpdir(), entry)
    try {
      if (existsSync(join(dir, KEEP_FILE))) continue
      const owner = Number.parseInt(readFileSync(join(dir, OWNER_FILE), 'utf8'), 10)
      if (!Number.isInteger(owner) || owner <= 0 || processAlive(owner)) continue
      if (instanceProcesses(`dovecot-${readFileSync(join(dir, 'instance'), 'utf8').trim()}/`).length > 0) continue
      rmSync(dir, { recursive: true, force: true })
    } catch {
      // Not ours, half-created by a parallel run, or already removed.
    }
  }
}

/** Resolves true once the server on `port` sends a greeting containing `greeting`. */
function probeGreeting(port: number, greeting: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let buffer = ''
    const socket = createConnection({ host: DOVECOT_HOST, port })
    const done = (ok: boolean): void => {
      clearTimeout(timer)
      socket.destroy()
      resolve(ok)
    }
    const timer = setTimeout(() => done(false), timeoutMs)
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      buffer += chunk
      // "* OK Waiting for authentication process to respond.." comes first
      // while the auth process is still starting: wait for the real greeting.
      if (buffer.includes(greeting)) {
        socket.write('a LOGOUT\r\n')
        done(true)
      }
    })
    socket.on('error', () => done(false))
    socket.on('close', () => done(false))
  })
}

// ---------------------------------------------------------------------------

const USER_NAME_RE = /^[A-Za-z0-9._%+@-]+$/

class Instance implements DovecotInstance {
  readonly host = DOVECOT_HOST
  readonly configPath: string
  readonly logPath: string
  readonly users: DovecotUsers
  private child: ChildProcess | undefined
  private exited: Promise<void> = Promise.resolve()
  private output = ''
  private readonly passwords = new Map<string, string>()
  private readonly entry: LiveEntry
  private destroyed = false

  constructor(
    readonly version: string,
    private readonly binary: string,
    readonly tmpDir: string,
    public port: number,
    private readonly greeting: string,
    private readonly configInput: InstanceConfigInput,
    keep: boolean
  ) {
    this.configPath = join(tmpDir, 'dovecot.conf')
    this.logPath = join(tmpDir, 'dovecot.log')
    // Dovecot titles its processes "dovecot-<instance_name>/<service>".
    this.entry = { child: undefined, dir: tmpDir, keep, titlePrefix: `dovecot-${configInput.instanceName}/` }
    live.add(this.entry)
    this.users = {
      add: (name, password) => this.addUser(name, password),
      has: (name) => this.passwords.has(name),
      password: (name) => this.passwordOf(name),
      list: () => [...this.passwords.keys()]
    }
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined
  }

  homeOf(user: string): string {
    return join(this.tmpDir, 'mail', user)
  }

  writeConfig(): void {
    writeFileSync(this.configPath, renderConfig({ ...this.configInput, port: this.port }), { mode: 0o644 })
    const oauth2 = this.configInput.oauth2
    if (oauth2) writeFileSync(join(this.tmpDir, 'dovecot-oauth2.conf.ext'), renderOAuth2Config(oauth2), { mode: 0o644 })
  }

  writePasswd(): void {
    // passwd-file format: user:{SCHEME}password:uid:gid:gecos:home:shell:extra.
    // Empty uid/gid/home fall back to mail_uid/mail_gid and the userdb default
    // home.
    const body = [...this.passwords].map(([name, password]) => `${name}:{PLAIN}${password}::::::\n`).join('')
    const path = join(this.tmpDir, 'passwd')
    const tmp = `${path}.tmp`
    // Readable by the auth process (default_internal_user). Replaced atomically;
    // Dovecot re-reads the file when its mtime/size change.
    writeFileSync(tmp, body, { mode: 0o644 })
    renameSync(tmp, path)
  }

  addUserSync(name: string, password: string): void {
    if (!USER_NAME_RE.test(name)) throw new Error(`unsupported test user name ${JSON.stringify(name)} (allowed: ${USER_NAME_RE.source})`)
    if (/[:\r\n\0]/.test(password) || password === '') throw new Error('test passwords must be non-empty and contain no ":" or line breaks')
    this.passwords.set(name, password)
    this.writePasswd()
  }

  async addUser(name: string, password: string): Promise<void> {
    this.addUserSync(name, password)
  }

  private passwordOf(user: string): string {
    const password = this.passwords.get(user)
    if (password === undefined) throw new Error(`unknown Dovecot test user ${JSON.stringify(user)}; add it with users.add()`)
    return password
  }

  url(user: string, folder = 'INBOX'): string {
    const password = this.passwordOf(user)
    const path = folder.split('/').map(encodeURIComponent).join('/')
    return `imap://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${this.host}:${this.port}/${path}`
  }

  imapOptions(user: string, overrides: Partial<ImapFlowOptions> = {}): ImapFlowOptions {
    return {
      host: this.host,
      port: this.port,
      secure: false,
      auth: { user, pass: this.passwordOf(user) },
      logger: false,
      ...overrides
    }
  }

  async connect(user: string, overrides: Partial<ImapFlowOptions> = {}): Promise<ImapFlow> {
    const client = new ImapFlow(this.imapOptions(user, overrides))
    // An 'error' event without a listener would crash the test process.
    client.on('error', () => {
      /* surfaced through the failing command */
    })
    await client.connect()
    return client
  }

  async append(user: string, rawMessage: string | Buffer, options: AppendOptions = {}): Promise<AppendResult> {
    const folder = options.folder ?? 'INBOX'
    const client = await this.connect(user, { disableAutoIdle: true })
    try {
      if (folder.toUpperCase() !== 'INBOX' && options.createFolder !== false) await client.mailboxCreate(folder)
      const result = await client.append(folder, rawMessage, options.flags, options.internalDate)
      if (result === false || result.uid === undefined || result.uidValidity === undefined) {
        throw new Error(`APPEND to ${folder} did not return a UID: ${JSON.stringify(result, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`)
      }
      return { folder: result.destination, uid: result.uid, uidValidity: result.uidValidity }
    } finally {
      await client.logout().catch(() => client.close())
    }
  }

  async deliver(user: string, rawMessage: string | Buffer, envelope: { from: string; recipient: string }): Promise<void> {
    const lda = LDA_CANDIDATES.find((p) => existsSync(p))
    if (!lda) throw new Error(`dovecot-lda not found (${LDA_CANDIDATES.join(', ')})`)
    const prepended = Buffer.concat([Buffer.from(`Delivered-To: ${envelope.recipient}\r\nReturn-Path: <${envelope.from}>\r\n`), Buffer.from(rawMessage)])
    await new Promise<void>((resolve, reject) => {
      execFile(lda, ['-c', this.configPath, '-d', user, '-f', envelope.from, '-a', envelope.recipient], (err, _stdout, stderr) => {
        if (err) reject(new Error(`dovecot-lda failed: ${stderr || err.message}`))
        else resolve()
      }).stdin?.end(prepended)
    })
  }

  logs(): string {
    let file = ''
    try {
      file = readFileSync(this.logPath, 'utf8')
    } catch {
      /* not created yet */
    }
    return this.output === '' ? file : `${file}--- dovecot stdout/stderr ---\n${this.output}`
  }

  /** One attempt to spawn the master and wait for the greeting; throws with the log on failure. */
  private async spawnOnce(timeoutMs: number): Promise<void> {
    // A master killed with SIGKILL leaves its pid file behind; a recycled pid
    // would make the new master refuse to start.
    rmSync(join(this.tmpDir, 'run', 'master.pid'), { force: true })
    const args = ['-F', '-c', this.configPath]
    const [command, commandArgs] = SETPRIV !== undefined ? [SETPRIV, ['--pdeathsig', 'KILL', '--', this.binary, ...args]] : [this.binary, args]
    const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TZ: process.env.TZ ?? 'UTC' } })
    this.child = child
    this.entry.child = child
    const collect = (chunk: Buffer): void => {
      this.output += chunk.toString('utf8')
    }
    child.stdout?.on('data', collect)
    child.stderr?.on('data', collect)
    // A test that forgets stop() must not hang forever on the child.
    child.unref()
    for (const stream of [child.stdout, child.stderr]) (stream as unknown as { unref?: () => void } | null)?.unref?.()
    this.exited = new Promise((resolve) => {
      child.once('exit', () => resolve())
      child.once('error', (err) => {
        this.output += `spawn error: ${err.message}\n`
        resolve()
      })
    })

    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if (!this.running) {
        await this.exited
        throw new Error(`Dovecot exited during startup (code ${String(child.exitCode)}, signal ${String(child.signalCode)}).\n${this.logs()}`)
      }
      if (await probeGreeting(this.port, this.greeting, Math.min(2000, Math.max(100, deadline - Date.now())))) return
      await sleep(20)
    }
    await this.kill()
    throw new Error(`Dovecot did not accept IMAP connections on ${this.host}:${this.port} within ${timeoutMs} ms.\n${this.logs()}`)
  }

  async startInternal(timeoutMs: number, allowNewPort: boolean): Promise<void> {
    if (this.destroyed) throw new Error('this Dovecot instance was destroyed')
    if (this.running) return
    const deadline = Date.now() + timeoutMs
    for (let attempt = 1; ; attempt++) {
      try {
        await this.spawnOnce(Math.max(1000, deadline - Date.now()))
        return
      } catch (err) {
        const portBusy = /Address already in use/i.test((err as Error).message)
        if (!portBusy || attempt >= 50 || Date.now() >= deadline) throw err
        // Someone grabbed the port between freePort() and bind(): on first
        // start take another one; on restart the port must stay, so wait.
        if (allowNewPort) {
          this.port = await freePort(DOVECOT_HOST)
          this.writeConfig()
        } else {
          await sleep(100)
        }
      }
    }
  }

  async start(): Promise<void> {
    await this.startInternal(this.configInput.startTimeoutMs, false)
  }

  private async kill(): Promise<void> {
    if (this.running) this.child?.kill('SIGKILL')
    await this.exited
  }

  async stop(): Promise<void> {
    const child = this.child
    if (child !== undefined && this.running) {
      child.kill('SIGTERM')
      // The master closes its listeners at once, but the imap processes of
      // connected clients only notice its death ~10 s later (then send
      // "* BYE Server shutting down."). A direct SIGTERM makes them send the
      // BYE and close the connection immediately, as a client of a restarted
      // server would expect.
      signalAll(
        instanceProcesses(this.entry.titlePrefix)
          .filter((p) => p.service === 'imap' || p.service === 'imap-login')
          .map((p) => p.pid),
        'SIGTERM'
      )
      const timer = setTimeout(() => {
        if (this.running) child.kill('SIGKILL')
      }, 10_000)
      try {
        await this.exited
      } finally {
        clearTimeout(timer)
      }
    } else {
      await this.exited
    }
    await this.reapLeftovers()
  }

  /** Makes sure no process of this instance survives its master (SIGTERM, then SIGKILL after 2 s). */
  private async reapLeftovers(): Promise<void> {
    const started = Date.now()
    let signalled: NodeJS.Signals | undefined
    for (;;) {
      const pids = instanceProcesses(this.entry.titlePrefix).map((p) => p.pid)
      if (pids.length === 0) return
      if (signalled === undefined) {
        signalAll(pids, 'SIGTERM')
        signalled = 'SIGTERM'
      } else if (signalled === 'SIGTERM' && Date.now() - started > 2000) {
        signalAll(pids, 'SIGKILL')
        signalled = 'SIGKILL'
      } else if (Date.now() - started > 5000) {
        throw new Error(`Dovecot processes ${pids.join(', ')} of ${this.entry.titlePrefix} survive SIGKILL`)
      }
      await sleep(20)
    }
  }

  async restart(options: { downtimeMs?: number } = {}): Promise<void> {
    await this.stop()
    if (options.downtimeMs !== undefined && options.downtimeMs > 0) await sleep(options.downtimeMs)
    await this.start()
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return
    this.destroyed = true
    await this.stop()
    live.delete(this.entry)
    if (!this.entry.keep) rmSync(this.tmpDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 })
  }
}

interface InstanceConfigInput extends Omit<ConfigInput, 'port'> {
  startTimeoutMs: number
}

let instanceCounter = 0

/**
 * Starts a private Dovecot IMAP server on 127.0.0.1 and resolves once it
 * greets IMAP clients. Call `destroy()` (or pass `t`) when done; a process
 * 'exit' hook kills forgotten instances.
 */
export async function startDovecot(options: StartDovecotOptions = {}): Promise<DovecotInstance> {
  const { path: binary, version } = ensureDovecotInstalled()
  installExitHook()
  sweepStaleTempDirs()
  const procUsers = processUsers()
  const keep = options.keepTempDir ?? process.env.DOVECOT_TEST_KEEP === '1'

  // Short prefix: base_dir holds UNIX sockets (108-byte path limit).
  const dir = mkdtempSync(join(tmpdir(), TMP_PREFIX))
  // Traversable by the unprivileged Dovecot users (auth reads passwd, imap
  // writes the maildirs).
  chmodSync(dir, 0o755)
  mkdirSync(join(dir, 'run'), { mode: 0o755 })
  mkdirSync(join(dir, 'state'), { mode: 0o750 })
  mkdirSync(join(dir, 'mail'), { mode: 0o755 })
  if (procUsers.root) chownSync(join(dir, 'mail'), procUsers.mailUid, procUsers.mailGid)

  // Unique per live instance on this host (pid + counter); also the process title prefix.
  const instanceName = `test-${process.pid}-${++instanceCounter}`
  // For sweepStaleTempDirs() of later runs.
  writeFileSync(join(dir, OWNER_FILE), `${process.pid}\n`)
  writeFileSync(join(dir, 'instance'), `${instanceName}\n`)
  if (keep) writeFileSync(join(dir, KEEP_FILE), '')
  const greeting = `Dovecot test instance ${instanceName} ready.`
  const configInput: InstanceConfigInput = {
    version,
    instanceName,
    dir,
    greeting,
    users: procUsers,
    idleCheckIntervalSecs: options.idleCheckIntervalSecs ?? 1,
    idleNotifyIntervalSecs: options.idleNotifyIntervalSecs,
    verbose: options.verbose ?? process.env.DOVECOT_TEST_VERBOSE === '1',
    extraConfig: options.extraConfig ?? '',
    oauth2: options.oauth2,
    startTimeoutMs: options.startTimeoutMs ?? 20_000
  }
  const instance = new Instance(version, binary, dir, await freePort(DOVECOT_HOST), greeting, configInput, keep)
  const t = options.t
  if (t !== undefined) {
    t.teardown(async () => {
      const passing = (t as { passing?: () => boolean }).passing
      const comment = (t as { comment?: (...args: unknown[]) => void }).comment
      if (typeof passing === 'function' && !passing.call(t) && typeof comment === 'function') {
        comment.call(t, `Dovecot log (${instance.logPath}):\n${instance.logs()}`)
      }
      await instance.destroy()
    })
  }
  try {
    for (const [name, password] of Object.entries(options.users ?? {})) instance.addUserSync(name, password)
    if (options.users === undefined || Object.keys(options.users).length === 0) instance.writePasswd()
    instance.writeConfig()
    await instance.startInternal(configInput.startTimeoutMs, true)
  } catch (err) {
    await instance.destroy().catch(() => undefined)
    throw err
  }
  return instance
}
