// Every error the module answers, in one shape and in the caller's language: a stable `code` (an i18n key), its
// `params`, the `message` written in the request's locale and, for bad input, each field's problem. Schema
// validation errors (Ajv) are turned into the same field problems, so a detail never comes back in another language.
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify'
import { HttpError, type FieldProblem } from '../http-errors.js'
import { fieldMessage, requestLocale, translate, type FieldRule, type Locale, type MessageKey } from '../i18n.js'

export interface ErrorBody {
  statusCode: number
  /** Stable machine-readable code: the i18n key of the message. */
  code: MessageKey
  /** The same code, under the name the first clients read. */
  error: MessageKey
  /** The message in the request's language (`?lang=`, then Accept-Language, then the module's locale). */
  message: string
  params: Record<string, string | number>
  /** Per field, what is wrong with it, in the request's language. */
  fields?: Record<string, string>
  /** The same per field, as stable rule codes and parameters. */
  problems?: Array<{ field: string; rule: FieldRule; params: Record<string, string | number>; message: string }>
}

/** The JSON schema of ErrorBody, used for every error response and in the OpenAPI document. */
export const errorSchema = {
  type: 'object',
  description: "An error: a stable code (an i18n key), its parameters and the message in the caller's language.",
  required: ['statusCode', 'code', 'error', 'message', 'params'],
  properties: {
    statusCode: { type: 'integer' },
    code: { type: 'string', description: 'Stable machine-readable code (the i18n key).' },
    error: { type: 'string', description: 'The same code (kept for existing clients).' },
    message: { type: 'string', description: "In the request's language: ?lang=it|en, then Accept-Language, then the module locale." },
    params: { type: 'object', additionalProperties: { type: ['string', 'number'] } },
    fields: { type: 'object', additionalProperties: { type: 'string' }, description: 'Per field, what is wrong with it.' },
    problems: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'rule', 'params', 'message'],
        properties: {
          field: { type: 'string' },
          rule: { type: 'string', description: 'Stable rule code: required, type, maxLength, enum, …' },
          params: { type: 'object', additionalProperties: { type: ['string', 'number'] } },
          message: { type: 'string' }
        }
      }
    }
  }
} as const

interface AjvError {
  keyword: string
  instancePath: string
  params: Record<string, unknown>
}

const LIMIT_RULES = new Set(['minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'maxItems'])

/** One Ajv error as a field problem: the field named as the caller wrote it, the keyword as the rule. */
function problemFromAjv(error: AjvError, context: string): FieldProblem {
  const path = error.instancePath
    .split('/')
    .filter(Boolean)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
  const at = (extra?: unknown) => [...path, ...(typeof extra === 'string' ? [extra] : [])].join('.') || context
  const p = error.params
  switch (error.keyword) {
    case 'required':
      return { field: at(p.missingProperty), rule: 'required' }
    case 'additionalProperties':
      return { field: at(p.additionalProperty), rule: 'additionalProperties' }
    case 'type': {
      const type = Array.isArray(p.type) ? p.type.join(',') : String(p.type)
      if (path.length === 0 && context === 'body' && type.startsWith('object')) return { field: 'body', rule: 'bodyObject' }
      return { field: at(), rule: 'type', params: { type } }
    }
    case 'format':
      return { field: at(), rule: 'format', params: { format: String(p.format) } }
    case 'enum':
      return { field: at(), rule: 'enum', params: { allowed: (p.allowedValues as unknown[]).map(String).join(', ') } }
    case 'const':
      return { field: at(), rule: 'enum', params: { allowed: String(p.allowedValue) } }
    case 'pattern':
      return { field: at(), rule: 'pattern' }
    default:
      if (LIMIT_RULES.has(error.keyword)) return { field: at(), rule: error.keyword as FieldRule, params: { limit: Number(p.limit) } }
      return { field: at(), rule: 'invalid' }
  }
}

// Fastify's own request errors (body parsing, media type, size), with our text rather than its English one.
const FASTIFY_CODES: Record<string, MessageKey> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupportedMediaType',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalidJsonBody',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'emptyJsonBody',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalidJsonBody',
  FST_ERR_CTP_BODY_TOO_LARGE: 'bodyTooLarge'
}

/** The error as the caller reads it. 5xx never reveal their cause. */
function errorBody(error: FastifyError | HttpError | Error, locale: Locale): ErrorBody {
  let status: number
  let code: MessageKey
  let params: Record<string, string | number> = {}
  let problems: readonly FieldProblem[] | undefined
  let fields: Record<string, string> | undefined
  let fieldNames: readonly string[] = []
  if (error instanceof HttpError) {
    ;({ statusCode: status, key: code, params, problems, fields } = error)
    fieldNames = error.fieldNames ?? []
  } else {
    const e = error as FastifyError
    status = e.statusCode ?? 500
    if (status >= 500) code = 'internalError'
    else if (e.validation) {
      code = 'invalidRequest'
      problems = (e.validation as unknown as AjvError[]).map((v) =>
        problemFromAjv(v, e.validationContext === 'querystring' ? 'query' : (e.validationContext ?? 'body'))
      )
    } else if (e.code && FASTIFY_CODES[e.code]) code = FASTIFY_CODES[e.code] as MessageKey
    else if (status === 404) code = 'notFound'
    else {
      code = 'invalidRequest'
      params = { detail: e.message }
    }
  }
  if (status >= 500) return { statusCode: 500, code: 'internalError', error: 'internalError', message: translate(locale, 'internalError'), params: {} }
  const described = problems?.map((p) => ({
    field: p.field,
    rule: p.rule,
    params: p.params ?? {},
    message: fieldMessage(locale, p.rule, { field: p.field, ...p.params })
  }))
  if (described?.length) {
    params = { ...params, detail: described.map((p) => p.message).join('; ') }
    fields = { ...Object.fromEntries(described.map((p) => [p.field, p.message])), ...fields }
  }
  const message = translate(locale, code, params)
  if (fieldNames.length) fields = { ...Object.fromEntries(fieldNames.map((f) => [f, message])), ...fields }
  return {
    statusCode: status,
    code,
    error: code,
    message,
    params,
    ...(fields ? { fields } : {}),
    ...(described?.length ? { problems: described } : {})
  }
}

export function installErrorHandling(app: FastifyInstance, defaultLocale: Locale): void {
  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    const body = errorBody(error, requestLocale(request, defaultLocale))
    if (body.statusCode >= 500) request.log.error({ err: error }, 'communications route failed')
    return reply.status(body.statusCode).send(body)
  })
  app.setNotFoundHandler((request: FastifyRequest, reply) => {
    const locale = requestLocale(request, defaultLocale)
    const params = { method: request.method, url: request.url.split('?')[0] ?? '' }
    return reply
      .status(404)
      .send({ statusCode: 404, code: 'notFoundRoute', error: 'notFoundRoute', message: translate(locale, 'notFoundRoute', params), params })
  })
}
