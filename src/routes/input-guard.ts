// Query strings and request bodies read strictly, once, for every route of the module (Open311 included): a
// parameter given twice is a 400 naming it (unless its schema declares a list), never a silent first-value-wins;
// text that is not UTF-8, or that no database can store (NUL, a lone surrogate), is a 400 naming it, never a
// replacement character stored in its place or a database error answered as a 500.
import { isUtf8 } from 'node:buffer'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { fieldError } from '../http-errors.js'

type Part = 'query' | 'body'
type Schema = { type?: unknown; anyOf?: Schema[]; oneOf?: Schema[]; properties?: Record<string, Schema>; content?: Record<string, { schema?: Schema }> }

const REPEATED = Symbol('trc.repeatedBodyKeys')
type Tagged = FastifyRequest & { [REPEATED]?: string[] }

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
/** Text every supported database stores as sent (PostgreSQL refuses NUL; a lone surrogate is not UTF-8). */
const storable = (text: string) => !text.includes('\u0000') && !LONE_SURROGATE.test(text)

const encodingError = (name: string) => fieldError(400, 'invalidEncoding', { name: name.slice(0, 60) }, name.slice(0, 60))
const duplicateError = (name: string) => fieldError(400, 'duplicateParameter', { name: name.slice(0, 60) }, name.slice(0, 60))

// Raw bytes above 0x7F (a URL or a form body sent without percent-encoding) read as latin1 and re-encoded as %XX, so
// one strict decodeURIComponent judges both spellings: valid UTF-8 decodes, anything else fails.
const percentEncoded = (latin1: string) => latin1.replace(/[\u0080-\u00ff]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)

function decode(text: string): string | null {
  try {
    const value = decodeURIComponent(text.replace(/\+/g, ' '))
    return storable(value) ? value : null
  } catch {
    return null
  }
}

/** `a=1&b=2&b=3` decoded strictly: the values (a repeated key becomes a list), the repeated keys, the first key that does not decode. */
function parsePairs(latin1: string): { values: Record<string, string | string[]>; repeated: string[]; invalid: string | null } {
  const values: Record<string, string | string[]> = Object.create(null)
  const repeated = new Set<string>()
  for (const pair of percentEncoded(latin1).split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    const rawKey = eq < 0 ? pair : pair.slice(0, eq)
    const key = decode(rawKey)
    const value = decode(eq < 0 ? '' : pair.slice(eq + 1))
    if (key === null || value === null) return { values, repeated: [...repeated], invalid: key ?? rawKey }
    if (key === '') continue
    const previous = values[key]
    if (previous === undefined) values[key] = value
    else {
      repeated.add(key)
      values[key] = Array.isArray(previous) ? [...previous, value] : [previous, value]
    }
  }
  return { values, repeated: [...repeated], invalid: null }
}

const allowsArray = (schema: Schema | undefined): boolean =>
  !!schema &&
  ((Array.isArray(schema.type) ? schema.type.includes('array') : schema.type === 'array') ||
    [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].some(allowsArray))

/** The route's schema for the query or for the body in the media type sent. */
function schemaOf(request: FastifyRequest, part: Part): Schema | undefined {
  const schemas = request.routeOptions.schema as Record<string, Schema | undefined> | undefined
  const schema = part === 'query' ? (schemas?.querystring ?? schemas?.query) : schemas?.body
  if (!schema?.content) return schema
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  return schema.content[type]?.schema
}

/** Only parameters whose schema declares a list (`type: 'array'`) may come more than once. */
function refuseRepeats(request: FastifyRequest, part: Part, keys: readonly string[]): void {
  const properties = schemaOf(request, part)?.properties ?? {}
  const refused = keys.find((key) => !allowsArray(properties[key]))
  if (refused !== undefined) throw duplicateError(refused)
}

/** The fields of a multipart form as its parts arrive: repeats and undecodable text refused as they are read. */
export function multipartFields(request: FastifyRequest) {
  const fields: Record<string, unknown> = Object.create(null)
  return {
    fields,
    add(name: string, value: string): void {
      // the parser decodes UTF-8 leniently (U+FFFD for each bad byte): a replacement character means bytes were lost
      if (value.includes('\uFFFD') || !storable(value)) throw encodingError(name)
      const previous = fields[name]
      if (previous !== undefined) refuseRepeats(request, 'body', [name])
      fields[name] = previous === undefined ? value : Array.isArray(previous) ? [...(previous as unknown[]), value] : [previous, value]
    }
  }
}

/** Where in a parsed JSON value the first unstorable (or, after lenient decoding, replaced) text is: `to.0`, `html`. */
function badTextAt(value: unknown, replaced: boolean, path: string[] = []): string | null {
  const bad = (text: string) => !storable(text) || (replaced && text.includes('\uFFFD'))
  if (typeof value === 'string') return bad(value) ? path.join('.') || 'body' : null
  if (value === null || typeof value !== 'object') return null
  for (const [key, item] of Object.entries(value)) {
    if (bad(key)) return [...path, key].join('.')
    const found = badTextAt(item, replaced, [...path, key])
    if (found !== null) return found
  }
  return null
}

const REPLACEMENT_BYTES = Buffer.from([0xef, 0xbf, 0xbd])

/** The field whose bytes were lost in decoding, when they are the only replacement characters in the body. */
function lostBytesAt(text: string, body: Buffer): string | null {
  try {
    return badTextAt(JSON.parse(text), !body.includes(REPLACEMENT_BYTES))
  } catch {
    return null
  }
}

/** The body when it is an object (parsed JSON or form fields), else null: an array, a scalar or no body. */
export function objectBody(body: unknown): Record<string, unknown> | null {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : null
}

/** Installs the strict readers on the module's context: JSON and urlencoded bodies, and the query-string check. */
export function installInputGuard(app: FastifyInstance): void {
  const json = app.getDefaultJsonParser('error', 'ignore')
  for (const type of ['application/json', 'application/x-www-form-urlencoded']) if (app.hasContentTypeParser(type)) app.removeContentTypeParser(type)

  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    const text = body.toString('utf8')
    if (!isUtf8(body)) {
      // name the field when the bytes lost are the only replacement characters in the body
      return done(encodingError(lostBytesAt(text, body) ?? 'body'), undefined)
    }
    json(request, text, (err, value) => {
      if (err) return done(err, undefined)
      const at = badTextAt(value, false)
      return at === null ? done(null, value) : done(encodingError(at), undefined)
    })
  })

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    const parsed = parsePairs(body.toString('latin1'))
    if (parsed.invalid !== null) return done(encodingError(parsed.invalid), undefined)
    ;(request as Tagged)[REPEATED] = parsed.repeated
    return done(null, parsed.values)
  })

  app.addHook('onRequest', async (request) => {
    if (request.is404) return
    const url = request.raw.url ?? ''
    const start = url.indexOf('?')
    if (start < 0) return
    const parsed = parsePairs(url.slice(start + 1).split('#')[0] ?? '')
    if (parsed.invalid !== null) throw encodingError(parsed.invalid)
    refuseRepeats(request, 'query', parsed.repeated)
  })

  app.addHook('preValidation', async (request) => {
    const repeated = (request as Tagged)[REPEATED]
    if (repeated?.length) refuseRepeats(request, 'body', repeated)
  })
}
