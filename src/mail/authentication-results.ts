// Authentication-Results (RFC 8601): what the receiving server found out about the sender (SPF, DKIM, DMARC,
// Microsoft's compauth), and whether that vouches for the From address. Pure: header values in, a verdict out.
//
// Which headers count: anyone can write an Authentication-Results header into the mail they send, and a server
// adds its own above the ones already there. So only the receiving server's own header is evidence: the ones whose
// authserv-id is the one configured for the mailbox (RFC 8601 §5 requires that server to remove look-alikes
// arriving from outside), or, when none is configured, only the topmost header, the last one added. Without a
// configured authserv-id a receiving server that writes no header at all lets a forged one through: configure it.
//
// Grammar (RFC 8601 §2.2): `authserv-id [version] ( "; none" / *( ";" method[/version] "=" result [reason=…]
// *(ptype "." property "=" value) ) )`, with comments `( … )` (nested) allowed wherever whitespace is. Comments are
// dropped before anything is read: Gmail writes `arc=pass (i=1 spf=pass … dmarc=pass …)`, and words in a comment
// are not results. Providers also write `key=value` pairs without a ptype (Microsoft's `action=none`): kept.
import { relaxedAligned } from '../domain/organizational-domain.js'

export interface AuthResult {
  /** The method, lower-case: `spf`, `dkim`, `dmarc`, `compauth`, `arc`, `iprev`, `auth`, … */
  method: string
  /** The method version (`dkim/1`), when given. */
  version: number | null
  /** The result, lower-case: `pass`, `fail`, `softfail`, `neutral`, `none`, `temperror`, `permerror`, … */
  result: string
  reason: string | null
  /** `ptype.property` (lower-case) → value: `smtp.mailfrom`, `header.d`, `header.i`, `header.from`, … */
  props: Record<string, string>
}

export interface AuthResultsHeader {
  /**
   * Who wrote the header (`mx.google.com`, `mx.example.it`), lower-case; null when it names nobody, as Microsoft
   * 365 writes it (`Authentication-Results: spf=pass …`, results straight away).
   */
  authservId: string | null
  version: number | null
  results: AuthResult[]
}

/** Parses one header value; null when it is empty. Unreadable result clauses are skipped. */
export function parseAuthenticationResults(value: string): AuthResultsHeader | null {
  const clauses = splitClauses(lex(value))
  const first = clauses[0]?.[0]
  if (first === undefined) return null
  const named = !keyValue(first)
  const head = named ? (clauses.shift() ?? []) : []
  const authservId = named ? unquote(first).toLowerCase() : null
  const version = head[1] && /^\d+$/.test(head[1]) ? Number(head[1]) : null
  const results: AuthResult[] = []
  for (const clause of clauses) {
    const result = parseResinfo(clause)
    if (result) results.push(result)
  }
  return { authservId, version, results }
}

function parseResinfo(words: string[]): AuthResult | null {
  const spec = keyValue(words[0] ?? '')
  if (!spec) return null
  const [methodName, methodVersion] = spec.key.split('/')
  const method = (methodName ?? '').toLowerCase()
  if (!/^[a-z0-9_-]+$/.test(method) || !/^[a-z0-9_-]+$/i.test(spec.value)) return null
  const result: AuthResult = {
    method,
    version: methodVersion && /^\d+$/.test(methodVersion) ? Number(methodVersion) : null,
    result: spec.value.toLowerCase(),
    reason: null,
    props: {}
  }
  for (const word of words.slice(1)) {
    const pair = keyValue(word)
    if (!pair) continue
    const key = pair.key.toLowerCase()
    if (key === 'reason') result.reason = pair.value
    else result.props[key] = pair.value
  }
  return result
}

function keyValue(word: string): { key: string; value: string } | null {
  const eq = word.indexOf('=')
  if (eq <= 0) return null
  return { key: word.slice(0, eq), value: unquote(word.slice(eq + 1)) }
}

function unquote(word: string): string {
  const quoted = /^"((?:[^"\\]|\\.)*)"$/.exec(word)
  return quoted ? (quoted[1] ?? '').replace(/\\(.)/g, '$1') : word
}

type Token = string | typeof SEMICOLON
const SEMICOLON = Symbol('semicolon')

/**
 * Words (quoted strings kept with their quotes) and semicolons; comments and whitespace dropped. Words that the
 * grammar joins across whitespace (`dkim / 1 = fail`, `policy . expired = 1`) are glued back together.
 */
function lex(value: string): Token[] {
  const raw: Array<string | typeof SEMICOLON | null> = [] // null: a word boundary (whitespace or a comment)
  let word = ''
  const flush = () => {
    if (word) raw.push(word)
    word = ''
  }
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string
    if (c === '(') {
      let depth = 1
      for (i++; i < value.length && depth > 0; i++) {
        if (value[i] === '\\') i++
        else if (value[i] === '(') depth++
        else if (value[i] === ')') depth--
      }
      i--
      flush()
      raw.push(null)
    } else if (c === '"') {
      let j = i + 1
      while (j < value.length && value[j] !== '"') j += value[j] === '\\' ? 2 : 1
      word += value.slice(i, j + 1)
      i = j
    } else if (c === ';') {
      flush()
      raw.push(SEMICOLON)
    } else if (/\s/.test(c)) {
      flush()
      raw.push(null)
    } else word += c
  }
  flush()
  const tokens: Token[] = []
  for (const t of raw) {
    if (t === null) continue
    const last = tokens.at(-1)
    if (typeof t === 'string' && typeof last === 'string' && (/[./=]$/.test(last) || /^[./=]/.test(t))) tokens[tokens.length - 1] = last + t
    else tokens.push(t)
  }
  return tokens
}

function splitClauses(tokens: Token[]): string[][] {
  const clauses: string[][] = [[]]
  for (const t of tokens) {
    if (t === SEMICOLON) clauses.push([])
    else clauses.at(-1)?.push(t)
  }
  return clauses
}

export type AuthMethod = 'dmarc' | 'spf' | 'dkim' | 'compauth'

export interface SenderAuthentication {
  authenticated: boolean
  /** What vouched for the From domain (null: nothing did). */
  method: AuthMethod | null
  /** The trusted header's writer; null when there was none to trust. */
  authservId: string | null
  /** For the operator and the audit: the results that decided, as the server wrote them (`spf=fail smtp.mailfrom=…`). */
  detail: string
}

/**
 * Whether the receiving server authenticated the From domain. `headers` are the Authentication-Results values
 * top first (as mailparser keeps them); `authservId` is the receiving server's id, when configured.
 *
 * Authenticated: `dmarc=pass` for the From domain; or `spf=pass` with an smtp.mailfrom, or `dkim=pass` with a
 * header.d (or header.i), in relaxed alignment with the From domain (the same organizational domain); or
 * Microsoft's `compauth=pass` (its composite verdict on the From domain, given when DMARC is not published).
 */
export function authenticateSender(headers: readonly string[], fromAddress: string | null, authservId: string | null): SenderAuthentication {
  const fromDomain = domainOf(fromAddress)
  const trusted = trustedHeaders(headers, authservId)
  if (trusted.length === 0) {
    return {
      authenticated: false,
      method: null,
      authservId: null,
      detail: authservId ? `no Authentication-Results from ${authservId.toLowerCase()}` : 'no Authentication-Results'
    }
  }
  const results = trusted.flatMap((h) => h.results)
  const id = trusted[0]?.authservId ?? null
  for (const method of fromDomain ? METHODS : []) {
    const r = results.find((x) => x.method === method && x.result === 'pass' && vouches(x, fromDomain as string))
    if (r) return { authenticated: true, method, authservId: id, detail: describe(r) }
  }
  const relevant = results.filter((r) => (METHODS as readonly string[]).includes(r.method))
  const detail = relevant.length ? relevant.map(describe).join('; ') : 'no SPF, DKIM or DMARC result'
  return { authenticated: false, method: null, authservId: id, detail: fromDomain ? detail : `no From address; ${detail}` }
}

/** In order of preference: the one named in the audit when several vouch. */
const METHODS: readonly AuthMethod[] = ['dmarc', 'spf', 'dkim', 'compauth']

function vouches(r: AuthResult, fromDomain: string): boolean {
  switch (r.method) {
    case 'dmarc': {
      const policyDomain = r.props['header.from']
      return !policyDomain || policyDomain.toLowerCase() === fromDomain
    }
    case 'spf':
      return relaxedAligned(domainOf(r.props['smtp.mailfrom'] ?? null), fromDomain)
    case 'dkim':
      return relaxedAligned(r.props['header.d'] ?? domainOf(r.props['header.i'] ?? null), fromDomain)
    default:
      return r.method === 'compauth'
  }
}

/** The headers to believe: the configured server's, or else only the topmost one. */
function trustedHeaders(headers: readonly string[], authservId: string | null): AuthResultsHeader[] {
  const parsed = headers.map(parseAuthenticationResults)
  if (!authservId) return parsed[0] ? [parsed[0]] : []
  const id = authservId.trim().toLowerCase()
  return parsed.filter((h): h is AuthResultsHeader => h !== null && h.authservId === id)
}

/** `user@Example.COM`, `@example.com` or `example.com` → `example.com`. */
function domainOf(value: string | null): string | null {
  if (!value) return null
  const domain = value
    .slice(value.lastIndexOf('@') + 1)
    .trim()
    .toLowerCase()
    .replace(/^<|>$/g, '')
  return domain || null
}

function describe(r: AuthResult): string {
  const keys = ['header.from', 'smtp.mailfrom', 'header.d', 'header.i'].filter((k) => r.props[k] !== undefined)
  return [`${r.method}=${r.result}`, ...(r.reason && r.method === 'compauth' ? [`reason=${r.reason}`] : []), ...keys.map((k) => `${k}=${r.props[k]}`)].join(' ')
}
