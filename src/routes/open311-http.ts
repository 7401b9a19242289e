// What every Open311 route shares: the format from the file name, the GeoReport error shape in JSON or XML, the
// api_key check with its per-key limit, the JSON schemas, and the handler a host gives Node for the requests it
// refuses before Fastify sees them (431: headers too large), so those too get an Open311 <errors> body.
import { timingSafeEqual } from 'node:crypto'
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { ConnectionError, FastifyReply } from 'fastify'
import { HttpError } from '../http-errors.js'
import { translate, type Locale } from '../i18n.js'
import { createKeyLimiter } from '../intake/key-limiter.js'
import { toXml } from '../intake/open311.js'
import { hashApiKey, type ResolvedIntakeOptions } from '../intake/options.js'
import { isCalendarDay } from './params.js'

// clients ask for everything since an old date (1970-01-01) or up to a far one: only the day itself must exist
const OPEN311_YEARS = { min: 1970, max: 9999 }

export type Format = 'json' | 'xml'

export const formatOf = (url: string): Format => (/\.xml(?:[?#]|$)/i.test(url) ? 'xml' : 'json')

/** `name.json` / `name.xml` → [name, format]; null for any other extension. */
export function splitFile(file: string): [string, Format] | null {
  const match = /^(.+)\.(json|xml)$/i.exec(file)
  return match ? [match[1] as string, (match[2] as string).toLowerCase() as Format] : null
}

export function send(reply: FastifyReply, format: Format, root: string, value: unknown): FastifyReply {
  reply.header('cache-control', 'no-store')
  if (format === 'xml') return reply.type('text/xml; charset=utf-8').send(toXml(root, value))
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(value))
}

export const invalid = (detail: string) => new HttpError(400, 'open311Invalid', { detail })

/** Open311 dates: ISO 8601, a day or an instant. A day that does not exist (`2026-02-30`) is refused, not rolled over. */
export function parseDate(value: string, name: string): Date {
  const date = new Date(value)
  if (!isCalendarDay(value.slice(0, 10), OPEN311_YEARS) || !/^.{10}(?:T.+)?$/.test(value) || Number.isNaN(date.getTime()))
    throw invalid(`${name}: data non valida "${value.slice(0, 40)}" (ISO 8601, ad esempio 2026-03-01T00:00:00Z)`)
  return date
}

export interface ApiClient {
  name: string
  limit: number
  /** Index of the key in the options: the rate-limit bucket. */
  index: number
}

/** The api_key check and its per-key limit: every POST of a key (JSON or XML, request or update) shares one bucket. */
export function createKeyGate(intake: ResolvedIntakeOptions) {
  const limiter = createKeyLimiter(intake.rateLimitWindowMinutes * 60_000)
  const lookup = (value: string): ApiClient | null => {
    const hash = hashApiKey(value)
    let found: ApiClient | null = null
    // every key is compared, so the time taken does not say which one matched
    intake.apiKeys.forEach((key, index) => {
      if (timingSafeEqual(key.hash, hash)) found = { name: key.name, limit: key.limit, index }
    })
    return found
  }
  return {
    lookup,
    /** The client of a key, counted once against its limit; 403 for a missing or unknown key, 429 over the limit. */
    admit(value: string, reply: FastifyReply): ApiClient {
      if (!value) throw new HttpError(403, 'open311ApiKeyMissing')
      const client = lookup(value)
      if (!client) throw new HttpError(403, 'open311ApiKeyInvalid')
      const result = limiter.hit(String(client.index), client.limit)
      const resetSeconds = Math.ceil(result.resetMs / 1000)
      reply.header('x-ratelimit-limit', result.limit).header('x-ratelimit-remaining', result.remaining).header('x-ratelimit-reset', resetSeconds)
      if (!result.allowed) {
        reply.header('retry-after', resetSeconds)
        throw new HttpError(429, 'open311RateLimited', { minutes: Math.max(1, Math.ceil(result.resetMs / 60_000)), limit: client.limit })
      }
      return client
    }
  }
}

// ------------------------------------------------------------------------------------------------------------
// JSON schemas. Open311 clients send form fields, so values are loose; the route validates them and answers in the
// GeoReport error shape. A field named in `lists` may be repeated (it comes as an array); any other repeated field
// is refused (src/routes/input-guard.ts). Responses are pre-serialized JSON or XML.

const value = {} as const // any: the route checks it
const list = { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] } as const
export const looseFields = (names: readonly string[], lists: readonly string[] = []) => ({
  type: 'object',
  properties: Object.fromEntries(names.map((n) => [n, lists.includes(n) ? list : value])),
  additionalProperties: true
})
export const formBody = (names: readonly string[], lists: readonly string[] = []) => ({
  content: {
    'application/x-www-form-urlencoded': { schema: looseFields(names, lists) },
    'application/json': { schema: looseFields(names, lists) },
    // read by the route part by part (Fastify has no body to validate): documents the fields and their lists
    'multipart/form-data': { schema: { ...looseFields(names, lists), type: ['object', 'null'] } }
  }
})
export const fileParams = { type: 'object', required: ['file'], properties: { file: { type: 'string', maxLength: 200 } } } as const
const errorList = { type: 'array', items: { type: 'object', properties: { code: { type: 'integer' }, description: { type: 'string' } } } } as const
export function responses(status: number, items: Record<string, unknown>) {
  const list = { type: 'array', items: { type: 'object', properties: items } }
  const body = (schema: unknown) => ({ content: { 'application/json': { schema }, 'text/xml': { schema: { type: 'string' } } } })
  return { [status]: body(list), '4xx': body(errorList), '5xx': body(errorList) }
}
export const str = { type: 'string', nullable: true } as const

// ------------------------------------------------------------------------------------------------------------
// Requests Node refuses before Fastify parses them (headers over `maxHeaderSize`: 431). A host passes this as
// Fastify's `clientErrorHandler` and its `onConnection` to the server's 'connection' event (which keeps the start of
// each request line: Node's error carries only the chunk it was parsing); a request for an Open311 path gets the
// GeoReport error shape, others Fastify's.

const REQUEST_START = Symbol('trc.requestStart')
type TrackedSocket = Socket & { [REQUEST_START]?: string }

export function open311ClientErrorHandler(options: { prefix?: string; locale?: Locale } = {}) {
  const base = `${options.prefix ?? '/api/communications'}/open311/`
  const handle = (err: ConnectionError, socket: TrackedSocket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400
    const raw: unknown = (err as { rawPacket?: unknown }).rawPacket
    const head = socket[REQUEST_START] ?? (Buffer.isBuffer(raw) ? raw.subarray(0, 4096).toString('latin1') : '')
    const line = /^[A-Z]+ (\S+)/.exec(head)?.[1] ?? ''
    const open311 = line.startsWith(base)
    const locale = options.locale ?? 'it'
    const description =
      status === 431 ? translate(locale, 'open311HeadersTooLarge') : translate(locale, 'invalidRequest', { detail: STATUS_CODES[status] ?? 'Client Error' })
    const format = formatOf(line)
    const body = open311
      ? format === 'xml'
        ? toXml('errors', [{ code: status, description }])
        : JSON.stringify([{ code: status, description }])
      : JSON.stringify({ statusCode: status, error: STATUS_CODES[status], message: description })
    const type = open311 && format === 'xml' ? 'text/xml; charset=utf-8' : 'application/json; charset=utf-8'
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: ${type}\r\nConnection: close\r\n\r\n${body}`
      )
    }
    socket.destroy(err)
  }
  /** Keeps the first bytes of each request's first chunk (a keep-alive socket carries several requests). */
  const onConnection = (socket: TrackedSocket): void => {
    socket.on('data', (chunk: Buffer) => {
      const start = chunk.subarray(0, 512).toString('latin1')
      if (/^[A-Z]{3,7} \//.test(start)) socket[REQUEST_START] = start
    })
  }
  return Object.assign(handle, { onConnection })
}
