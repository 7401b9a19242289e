// Open311 GeoReport v2 under /open311/v2 for the SottoControllo app: services, service definitions, requests
// (POST with the app's api_key, GET by filters or id) and tokens, in JSON and XML. Errors take the GeoReport
// shape `[{ code, description }]` (or <errors>), so this context has its own error and not-found handlers.
import { randomUUID } from 'node:crypto'
import multipart from '@fastify/multipart'
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { HttpError } from '../http-errors.js'
import { requestLocale, translate, type Locale } from '../i18n.js'
import { OPEN311_NAMES, fieldsFromOpen311, serviceDefinition, serviceList, serviceNotice, toServiceRequest } from '../intake/open311.js'
import { IntakeLimitError } from '../intake/service.js'
import { readMultipart, type UploadedFile, type UploadProblem } from '../intake/uploads.js'
import { stringField, validateSubmission, type FieldErrors, type RawFields } from '../intake/validate.js'
import type { FieldName } from '../intake/texts.js'
import type { RouteOptions } from './context.js'
import { objectBody } from './input-guard.js'
import {
  createKeyGate,
  fileParams,
  formBody,
  formatOf,
  invalid,
  looseFields,
  parseDate,
  responses,
  send,
  splitFile,
  str,
  type ApiClient
} from './open311-http.js'
import { registerUpdateRoutes } from './open311-updates.js'

function describeErrors(errors: FieldErrors): string {
  return (Object.entries(errors) as Array<[FieldName, string]>).map(([field, message]) => `${OPEN311_NAMES[field] ?? field}: ${message}`).join('; ')
}

const list = (value: unknown): string[] =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : []

const REQUEST_ITEM: Record<string, unknown> = {
  ...Object.fromEntries(
    [
      'service_request_id',
      'status',
      'status_notes',
      'service_name',
      'service_code',
      'description',
      'agency_responsible',
      'service_notice',
      'requested_datetime',
      'updated_datetime',
      'expected_datetime',
      'address',
      'address_id',
      'zipcode',
      'media_url'
    ].map((k) => [k, str])
  ),
  lat: { type: 'number', nullable: true },
  long: { type: 'number', nullable: true }
}
const POST_FIELDS = [
  'api_key',
  'jurisdiction_id',
  'service_code',
  'lat',
  'long',
  'address_string',
  'address_id',
  'email',
  'device_id',
  'account_id',
  'first_name',
  'last_name',
  'phone',
  'description',
  'media_url'
]

const open311Routes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  const { options } = ctx
  const intake = options.intake
  if (!app.hasContentTypeParser('multipart/form-data')) await app.register(multipart)
  const gate = createKeyGate(intake)

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

  const typeFor = (code: string) => intake.types.find((t) => t.type === code) ?? null

  for (const format of ['json', 'xml'] as const) {
    app.get(
      `/services.${format}`,
      {
        config: { permission: 'public' },
        schema: {
          querystring: looseFields(['jurisdiction_id', 'lang']),
          response: responses(
            200,
            Object.fromEntries(['service_code', 'service_name', 'description', 'metadata', 'type', 'keywords', 'group'].map((k) => [k, {}]))
          )
        }
      },
      async (request, reply) => send(reply, format, 'services', serviceList(intake.types, requestLocale(request, options.locale)))
    )

    app.get(
      `/requests.${format}`,
      {
        config: { permission: 'public' },
        schema: {
          querystring: looseFields(['service_request_id', 'service_code', 'status', 'start_date', 'end_date', 'jurisdiction_id', 'lang']),
          response: responses(200, REQUEST_ITEM)
        }
      },
      async (request, reply) => {
        const locale = requestLocale(request, options.locale)
        const q = request.query as Record<string, unknown>
        // every id asked for: the repository reads them in chunks (the spec sets no limit)
        const ids = list(q.service_request_id)
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
        return send(
          reply,
          format,
          'service_requests',
          found.map((p) => toServiceRequest(p, intake.types, locale, options.organizationName))
        )
      }
    )

    app.post(
      `/requests.${format}`,
      {
        config: { permission: 'public' },
        schema: {
          querystring: looseFields(['api_key', 'jurisdiction_id', 'lang']),
          body: formBody(POST_FIELDS, ['media_url']),
          response: responses(201, { service_request_id: str, token: str, service_notice: str, account_id: str })
        }
      },
      async (request, reply) => {
        const locale = requestLocale(request, options.locale)
        let body: RawFields = {}
        let files: UploadedFile[] = []
        let problem: UploadProblem | null = null
        let admitted: ApiClient | null = null
        // an app that sends api_key before its photo is refused (403, 429) before the photo is read
        const admitEarly = (fields: RawFields) => {
          const key = stringField(fields, 'api_key')
          if (key && !admitted) admitted = gate.admit(key, reply)
        }
        if (request.isMultipart()) ({ fields: body, files, problem } = await readMultipart(request, ['media'], intake, locale, admitEarly))
        else body = objectBody(request.body) ?? body
        const client = (admitted ?? gate.admit(stringField(body, 'api_key') || stringField(request.query as RawFields, 'api_key'), reply)).name
        const code = stringField(body, 'service_code')
        if (!code) throw new HttpError(400, 'open311ServiceCodeMissing')
        if (!typeFor(code)) throw new HttpError(400, 'open311ServiceCodeUnknown', { code: code.slice(0, 60) })
        if (problem)
          throw new HttpError(problem.status, problem.status === 413 ? 'intakeFileTooLarge' : problem.status === 415 ? 'intakeFileType' : 'open311Invalid', {
            detail: `media: ${problem.message}`
          })
        const { value, errors } = validateSubmission(fieldsFromOpen311(body), { locale, allowedTypes: intake.types.map((t) => t.type), channel: 'app' })
        if (!value) throw invalid(describeErrors(errors))
        const receipt = await ctx.service.intake
          .submit({
            channel: 'app',
            submission: value,
            files,
            idempotencyKey: `${client}:${randomUUID()}`,
            client: { ip: request.ip, userAgent: request.headers['user-agent']?.slice(0, 300) ?? null, apiKeyName: client }
          })
          .catch((err: unknown) => {
            if (err instanceof IntakeLimitError) throw new HttpError(429, 'intakeEmailRateLimited', { email: err.email })
            throw err
          })
        const [published] = await ctx.service.intake.published({ references: [receipt.reference], limit: 1 })
        reply.status(201)
        return send(reply, format, 'service_requests', [
          {
            service_request_id: receipt.reference,
            token: receipt.publicToken,
            service_notice: serviceNotice(published?.type ?? null, published?.dueDate ?? null, ctx.service.arera.standards, locale),
            account_id: stringField(body, 'account_id') || null
          }
        ])
      }
    )
  }

  app.get<{ Params: { file: string } }>(
    '/services/:file',
    {
      config: { permission: 'public' },
      schema: {
        params: fileParams,
        querystring: looseFields(['jurisdiction_id', 'lang']),
        response: {
          200: {
            content: {
              'application/json': { schema: { type: 'object', properties: { service_code: str, attributes: { type: 'array' } } } },
              'text/xml': { schema: { type: 'string' } }
            }
          }
        }
      }
    },
    async (request, reply) => {
      const parts = splitFile(request.params.file)
      if (!parts) throw new HttpError(404, 'open311Format')
      const type = typeFor(parts[0])
      if (!type) throw new HttpError(404, 'open311ServiceNotFound', { code: parts[0].slice(0, 60) })
      return send(reply, parts[1], 'service_definition', serviceDefinition(type, requestLocale(request, options.locale)))
    }
  )

  app.get<{ Params: { file: string } }>(
    '/requests/:file',
    {
      config: { permission: 'public' },
      schema: { params: fileParams, querystring: looseFields(['jurisdiction_id', 'lang']), response: responses(200, REQUEST_ITEM) }
    },
    async (request, reply) => {
      const parts = splitFile(request.params.file)
      if (!parts) throw new HttpError(404, 'open311Format')
      const locale: Locale = requestLocale(request, options.locale)
      const [found] = await ctx.service.intake.published({ references: [parts[0]], limit: 1 })
      if (!found) throw new HttpError(404, 'open311RequestNotFound', { id: parts[0].slice(0, 60) })
      return send(reply, parts[1], 'service_requests', [toServiceRequest(found, intake.types, locale, options.organizationName)])
    }
  )

  app.get<{ Params: { file: string } }>(
    '/tokens/:file',
    {
      config: { permission: 'public' },
      schema: { params: fileParams, querystring: looseFields(['jurisdiction_id', 'lang']), response: responses(200, { service_request_id: str, token: str }) }
    },
    async (request, reply) => {
      const parts = splitFile(request.params.file)
      if (!parts) throw new HttpError(404, 'open311Format')
      const found = /^[a-f0-9]{32,64}$/.test(parts[0]) ? await ctx.service.intake.findByToken(parts[0]) : null
      if (!found) throw new HttpError(404, 'open311TokenNotFound', { token: parts[0].slice(0, 64) })
      return send(reply, parts[1], 'service_requests', [{ service_request_id: found.reference, token: parts[0] }])
    }
  )

  registerUpdateRoutes(app, ctx, gate)
}

export default open311Routes
