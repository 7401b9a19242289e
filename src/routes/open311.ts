// Open311 GeoReport v2 under /open311/v2 for the SottoControllo app: services, service definitions, requests
// (POST with the app's api_key, GET by filters or id) and tokens, in JSON and XML. Errors take the GeoReport
// shape `[{ code, description }]` (or <errors>), so this context has its own error and not-found handlers.
import { randomUUID, timingSafeEqual } from 'node:crypto'
import formbody from '@fastify/formbody'
import multipart from '@fastify/multipart'
import rateLimit from '@fastify/rate-limit'
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { HttpError } from '../http-errors.js'
import { requestLocale, translate, type Locale } from '../i18n.js'
import { OPEN311_NAMES, fieldsFromOpen311, serviceDefinition, serviceList, serviceNotice, toServiceRequest, toXml } from '../intake/open311.js'
import { hashApiKey } from '../intake/options.js'
import { IntakeLimitError } from '../intake/service.js'
import { readMultipart, type UploadedFile, type UploadProblem } from '../intake/uploads.js'
import { stringField, validateSubmission, type FieldErrors, type RawFields } from '../intake/validate.js'
import type { FieldName } from '../intake/texts.js'
import type { RouteOptions } from './context.js'

type Format = 'json' | 'xml'

const formatOf = (url: string): Format => (/\.xml(?:[?#]|$)/i.test(url) ? 'xml' : 'json')

/** `name.json` / `name.xml` → [name, format]; null for any other extension. */
function splitFile(file: string): [string, Format] | null {
  const match = /^(.+)\.(json|xml)$/i.exec(file)
  return match ? [match[1] as string, (match[2] as string).toLowerCase() as Format] : null
}

function send(reply: FastifyReply, format: Format, root: string, value: unknown): FastifyReply {
  reply.header('cache-control', 'no-store')
  if (format === 'xml') return reply.type('text/xml; charset=utf-8').send(toXml(root, value))
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(value))
}

const invalid = (detail: string) => new HttpError(400, 'open311Invalid', { detail })

function describeErrors(errors: FieldErrors): string {
  return (Object.entries(errors) as Array<[FieldName, string]>).map(([field, message]) => `${OPEN311_NAMES[field] ?? field}: ${message}`).join('; ')
}

function parseDate(value: string, name: string): Date {
  const date = new Date(value)
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) throw invalid(`${name}: data non valida "${value.slice(0, 40)}" (ISO 8601, ad esempio 2026-03-01T00:00:00Z)`)
  return date
}

const list = (value: unknown): string[] => (typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : [])

const open311Routes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  const { options } = ctx
  const intake = options.intake
  if (!app.hasContentTypeParser('multipart/form-data')) await app.register(multipart)
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) await app.register(formbody)
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => new HttpError(429, 'intakeRateLimited', { minutes: Math.max(1, Math.ceil(context.ttl / 60_000)) })
  })

  const errorBody = (reply: FastifyReply, request: FastifyRequest, status: number, description: string) =>
    send(reply.status(status), formatOf(request.url), 'errors', [{ code: status, description }])

  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    const locale = requestLocale(request, options.locale)
    if (error instanceof HttpError) {
      const fields = error.fields ? ` (${describeErrors(error.fields as FieldErrors)})` : ''
      return errorBody(reply, request, error.statusCode, translate(locale, error.key, error.params) + (error.key === 'open311Invalid' ? '' : fields))
    }
    const status = error.statusCode ?? 500
    if (status >= 500) {
      request.log.error({ err: error }, 'open311 route failed')
      return errorBody(reply, request, 500, translate(locale, 'internalError'))
    }
    return errorBody(reply, request, status, translate(locale, 'invalidRequest', { detail: error.message }))
  })
  app.setNotFoundHandler((request, reply) => {
    const locale = requestLocale(request, options.locale)
    return errorBody(reply, request, 404, translate(locale, 'notFoundRoute', { method: request.method, url: request.url.split('?')[0] ?? '' }))
  })

  const apiKeyName = (value: string): string | null => {
    const hash = hashApiKey(value)
    let found: string | null = null
    for (const key of intake.apiKeys) if (timingSafeEqual(key.hash, hash)) found = key.name
    return found
  }
  const typeFor = (code: string) => intake.types.find((t) => t.type === code) ?? null

  for (const format of ['json', 'xml'] as const) {
    app.get(`/services.${format}`, { config: { permission: 'public' } }, async (request, reply) =>
      send(reply, format, 'services', serviceList(intake.types, requestLocale(request, options.locale))))

    app.get(`/requests.${format}`, { config: { permission: 'public' } }, async (request, reply) => {
      const locale = requestLocale(request, options.locale)
      const q = request.query as Record<string, unknown>
      const ids = list(q.service_request_id).slice(0, 100)
      const statuses = list(q.status).map((s) => s.toLowerCase())
      if (statuses.some((s) => s !== 'open' && s !== 'closed')) throw invalid(`status: valori ammessi open, closed`)
      let found
      if (ids.length > 0) {
        // service_request_id overrides every other filter (GeoReport v2)
        found = await ctx.service.intake.published({ references: ids, limit: ids.length })
      } else {
        const end = typeof q.end_date === 'string' ? parseDate(q.end_date, 'end_date') : undefined
        const start = typeof q.start_date === 'string' ? parseDate(q.start_date, 'start_date') : end ? undefined : new Date(Date.now() - 90 * 86_400_000)
        if (start && end && start > end) throw invalid('start_date è successiva a end_date')
        found = await ctx.service.intake.published({ serviceCodes: list(q.service_code), from: start, to: end, limit: statuses.length ? 5000 : 1000 })
        if (statuses.length) found = found.filter((p) => statuses.includes(p.workOrder?.status === 'closed' ? 'closed' : 'open')).slice(0, 1000)
      }
      return send(reply, format, 'service_requests', found.map((p) => toServiceRequest(p, intake.types, locale, options.organizationName)))
    })

    app.post(`/requests.${format}`, {
      config: { permission: 'public', rateLimit: { max: intake.perIpLimit, timeWindow: intake.rateLimitWindowMinutes * 60_000 } }
    }, async (request, reply) => {
      const locale = requestLocale(request, options.locale)
      let body: RawFields = {}
      let files: UploadedFile[] = []
      let problem: UploadProblem | null = null
      // an app that sends api_key before its photo is refused before the photo is read
      const refuseUnknownKey = (fields: RawFields) => {
        const key = stringField(fields, 'api_key')
        if (key && !apiKeyName(key)) throw new HttpError(403, 'open311ApiKeyInvalid')
      }
      if (request.isMultipart()) ({ fields: body, files, problem } = await readMultipart(request, ['media'], intake, locale, refuseUnknownKey))
      else if (request.body && typeof request.body === 'object' && !Array.isArray(request.body)) body = request.body as RawFields
      const key = stringField(body, 'api_key') || stringField(request.query as RawFields, 'api_key')
      if (!key) throw new HttpError(403, 'open311ApiKeyMissing')
      const client = apiKeyName(key)
      if (!client) throw new HttpError(403, 'open311ApiKeyInvalid')
      const code = stringField(body, 'service_code')
      if (!code) throw new HttpError(400, 'open311ServiceCodeMissing')
      if (!typeFor(code)) throw new HttpError(400, 'open311ServiceCodeUnknown', { code: code.slice(0, 60) })
      if (problem) throw new HttpError(problem.status, problem.status === 413 ? 'intakeFileTooLarge' : problem.status === 415 ? 'intakeFileType' : 'open311Invalid', { detail: `media: ${problem.message}` })
      const { value, errors } = validateSubmission(fieldsFromOpen311(body), { locale, allowedTypes: intake.types.map((t) => t.type), channel: 'app' })
      if (!value) throw invalid(describeErrors(errors))
      const receipt = await ctx.service.intake.submit({
        channel: 'app', submission: value, files, idempotencyKey: `${client}:${randomUUID()}`,
        client: { ip: request.ip, userAgent: request.headers['user-agent']?.slice(0, 300) ?? null, apiKeyName: client }
      }).catch((err: unknown) => {
        if (err instanceof IntakeLimitError) throw new HttpError(429, 'intakeEmailRateLimited', { email: err.email })
        throw err
      })
      const [published] = await ctx.service.intake.published({ references: [receipt.reference], limit: 1 })
      reply.status(201)
      return send(reply, format, 'service_requests', [{
        service_request_id: receipt.reference,
        token: receipt.publicToken,
        service_notice: serviceNotice(published?.type ?? null, published?.dueDate ?? null, ctx.service.arera.standards, locale),
        account_id: stringField(body, 'account_id') || null
      }])
    })
  }

  app.get<{ Params: { file: string } }>('/services/:file', { config: { permission: 'public' } }, async (request, reply) => {
    const parts = splitFile(request.params.file)
    if (!parts) throw new HttpError(404, 'open311Format')
    const type = typeFor(parts[0])
    if (!type) throw new HttpError(404, 'open311ServiceNotFound', { code: parts[0].slice(0, 60) })
    return send(reply, parts[1], 'service_definition', serviceDefinition(type, requestLocale(request, options.locale)))
  })

  app.get<{ Params: { file: string } }>('/requests/:file', { config: { permission: 'public' } }, async (request, reply) => {
    const parts = splitFile(request.params.file)
    if (!parts) throw new HttpError(404, 'open311Format')
    const locale: Locale = requestLocale(request, options.locale)
    const [found] = await ctx.service.intake.published({ references: [parts[0]], limit: 1 })
    if (!found) throw new HttpError(404, 'open311RequestNotFound', { id: parts[0].slice(0, 60) })
    return send(reply, parts[1], 'service_requests', [toServiceRequest(found, intake.types, locale, options.organizationName)])
  })

  app.get<{ Params: { file: string } }>('/tokens/:file', { config: { permission: 'public' } }, async (request, reply) => {
    const parts = splitFile(request.params.file)
    if (!parts) throw new HttpError(404, 'open311Format')
    const found = /^[a-f0-9]{32,64}$/.test(parts[0]) ? await ctx.service.intake.findByToken(parts[0]) : null
    if (!found) throw new HttpError(404, 'open311TokenNotFound', { token: parts[0].slice(0, 64) })
    return send(reply, parts[1], 'service_requests', [{ service_request_id: found.reference, token: parts[0] }])
  })
}

export default open311Routes
