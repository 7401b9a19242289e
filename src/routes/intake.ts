// The Sportello On-line: the public form (standalone page and embeddable snippet), its submission, and the
// citizen's status page. Public routes, guarded against bots by a honeypot, a signed fill-time token, a limit per
// IP address and a limit per email address.
import multipart from '@fastify/multipart'
import rateLimit from '@fastify/rate-limit'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { HttpError } from '../http-errors.js'
import { LANG_COOKIE, pageLocale, translate, type Locale } from '../i18n.js'
import { EMBED_JS, FORM_CSS, FORM_JS } from '../intake/form-assets.js'
import { renderConfirmationPage, renderFormPage, renderStatusPage, type PageContext } from '../intake/form-page.js'
import { checkFormToken, issueFormToken } from '../intake/form-token.js'
import { IntakeLimitError } from '../intake/service.js'
import { readMultipart, type UploadedFile, type UploadProblem } from '../intake/uploads.js'
import { stringField, validateSubmission, type FieldErrors, type RawFields } from '../intake/validate.js'
import { SERVICES, requestTypeLabel } from '../domain/arera.js'
import type { RouteOptions } from './context.js'
import { objectBody } from './input-guard.js'
import { FIELD_LABELS } from '../intake/texts.js'
import { errorResponse } from './openapi.js'
import { bool, download, int, nullableStr, object, str } from './schemas.js'

const codeLabel = { type: 'array', items: object({ code: str, label: str }) }
const configSchema = object({
  types: codeLabel,
  services: codeLabel,
  formToken: str,
  minFillSeconds: int,
  maxFiles: int,
  maxFileBytes: int,
  maxTotalBytes: int,
  privacyUrl: nullableStr
})
const receiptSchema = object({
  workOrderId: int,
  reference: str,
  dueDate: nullableStr,
  statusToken: str,
  statusUrl: str,
  confirmationQueued: bool,
  duplicate: bool
})
const statusSchema = object({
  reference: str,
  status: str,
  statusLabel: str,
  type: nullableStr,
  typeLabel: nullableStr,
  service: nullableStr,
  serviceLabel: nullableStr,
  channel: str,
  receivedAt: str,
  dueDate: nullableStr,
  updatedAt: str,
  history: { type: 'array', items: object({ at: str, status: str, statusLabel: str }) },
  notes: { type: 'array', items: object({ at: str, text: str, html: str }) }
})
// The form's fields (checked by intake/validate.ts, whose messages name them in the citizen's language).
const formFields = {
  ...Object.fromEntries(Object.entries(FIELD_LABELS).map(([name, label]) => [name, { description: label.en }])),
  // the one field a form may repeat (each other repeated field is refused: src/routes/input-guard.ts)
  mediaUrl: { description: `${FIELD_LABELS.mediaUrl.en} (up to 5, the field repeated).`, anyOf: [str, { type: 'array', items: str }] },
  formToken: { description: 'The token of GET /intake/config or of the form page (signed fill time).' },
  website: { description: 'Honeypot: leave empty.' }
}
const submission = { type: 'object', additionalProperties: true, properties: formFields }
const htmlOr = (description: string, json: Record<string, unknown>) => ({
  description,
  content: { 'application/json': { schema: json }, 'text/html': { schema: { type: 'string' } } }
})
const assetDoc = (summary: string, type: string) => ({ summary, tags: ['intake'], response: { 200: download(summary, type) } })

/** A browser posting the form without JavaScript wants a page back; fetch() and API clients ask for JSON. */
function wantsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? ''
  return /text\/html/.test(accept) && !/application\/json/.test(accept)
}

/** A post that is neither multipart nor a form or JSON object. */
function notMultipart(): never {
  throw new HttpError(415, 'intakeNotMultipart')
}

const intakeRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  const { options } = ctx
  const intake = options.intake
  const base = options.prefix === '/' ? '' : options.prefix
  // The host may already parse multipart bodies; add the parser only when missing, in this encapsulated context
  // (JSON and urlencoded bodies are read by src/routes/input-guard.ts).
  if (!app.hasContentTypeParser('multipart/form-data')) await app.register(multipart)
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => new HttpError(429, 'intakeRateLimited', { minutes: Math.max(1, Math.ceil(context.ttl / 60_000)) })
  })

  const pageContext = (request: FastifyRequest, locale: Locale): PageContext => ({
    locale,
    base,
    organizationName: options.organizationName,
    intake,
    embed: (request.query as Record<string, unknown> | undefined)?.embed === '1',
    // the language switch reloads the page it is on (a GET page), else the form
    path: request.method === 'GET' ? (request.url.split('?')[0] ?? `${base}/intake/form`) : `${base}/intake/form`
  })
  /** The public pages' language; a choice made with the switch (`?lang=`) is remembered for a year. */
  const localeOf = (request: FastifyRequest, reply: FastifyReply): Locale => {
    const lang = (request.query as Record<string, unknown> | undefined)?.lang
    if (lang === 'it' || lang === 'en') reply.header('set-cookie', `${LANG_COOKIE}=${lang}; Path=${base}/intake; Max-Age=31536000; SameSite=Lax; HttpOnly`)
    return pageLocale(request, options.locale)
  }
  const pageHeaders = (reply: FastifyReply) =>
    reply
      .type('text/html; charset=utf-8')
      .header(
        'content-security-policy',
        `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors ${intake.frameAncestors.join(' ')}`
      )
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'same-origin')
      .header('cache-control', 'no-store')
  const asset = (reply: FastifyReply, type: string, body: string) =>
    reply.type(type).header('x-content-type-options', 'nosniff').header('cache-control', 'public, max-age=300').send(body)

  app.get(
    '/intake/form',
    { config: { permission: 'public' }, schema: assetDoc('The Sportello On-line form page (?embed=1 for an iframe)', 'text/html') },
    async (request, reply) => {
      const locale = localeOf(request, reply)
      return pageHeaders(reply).send(renderFormPage(pageContext(request, locale), { token: issueFormToken(options.secret) }))
    }
  )
  app.get('/intake/form.css', { config: { permission: 'public' }, schema: assetDoc("The form's stylesheet", 'text/css') }, async (_request, reply) =>
    asset(reply, 'text/css; charset=utf-8', FORM_CSS)
  )
  app.get('/intake/form.js', { config: { permission: 'public' }, schema: assetDoc("The form's script", 'text/javascript') }, async (_request, reply) =>
    asset(reply, 'text/javascript; charset=utf-8', FORM_JS)
  )
  app.get(
    '/intake/embed.js',
    { config: { permission: 'public' }, schema: assetDoc('The snippet that embeds the form in another site', 'text/javascript') },
    async (_request, reply) => asset(reply, 'text/javascript; charset=utf-8', EMBED_JS).header('access-control-allow-origin', '*')
  )

  // For operators who build their own form: the choices, the limits, and a fresh token.
  app.get(
    '/intake/config',
    {
      config: { permission: 'public' },
      schema: { summary: "Choices, limits and a fresh form token, for a form of one's own", tags: ['intake'], response: { 200: configSchema } }
    },
    async (request, reply) => {
      const locale = pageLocale(request, options.locale)
      reply.header('cache-control', 'no-store')
      return {
        types: intake.types.map((t) => ({ code: t.type, label: t.label[locale] ?? requestTypeLabel(t.type, locale) })),
        services: SERVICES.map((s) => ({ code: s.code, label: s.label[locale] })),
        formToken: issueFormToken(options.secret),
        minFillSeconds: intake.minFillSeconds,
        maxFiles: intake.maxFiles,
        maxFileBytes: intake.maxFileBytes,
        maxTotalBytes: intake.maxTotalBytes,
        privacyUrl: intake.privacyUrl
      }
    }
  )

  app.post(
    '/intake/web',
    {
      config: { permission: 'public', rateLimit: { max: intake.perIpLimit, timeWindow: intake.rateLimitWindowMinutes * 60_000 } },
      schema: {
        summary: 'Submit the Sportello On-line form (JSON, urlencoded or multipart with `attachments`); a browser without JavaScript gets a page',
        tags: ['intake'],
        body: {
          content: {
            'application/json': { schema: submission },
            'application/x-www-form-urlencoded': { schema: submission },
            'multipart/form-data': { schema: { ...submission, type: ['object', 'null'] } }
          }
        },
        response: {
          200: htmlOr('The same submission again (same form token): the first receipt.', receiptSchema),
          201: htmlOr('Received: a work order was opened.', receiptSchema),
          413: errorResponse(413, 'Attachments too large or too many.'),
          415: errorResponse(415, 'An attachment of a type not accepted, or a body that is not a form.'),
          429: errorResponse(429, 'Too many submissions from this network or this address.')
        }
      }
    },
    async (request, reply) => {
      const locale = pageLocale(request, options.locale)
      const html = wantsHtml(request)
      let fields: RawFields = {}
      try {
        let files: UploadedFile[] = []
        let problem: UploadProblem | null = null
        if (request.isMultipart()) ({ fields, files, problem } = await readMultipart(request, ['attachments'], intake, locale))
        else fields = objectBody(request.body) ?? notMultipart()

        // Bots first: a filled honeypot or a post faster than a person can type is refused before anything else.
        if (stringField(fields, 'website') !== '') throw new HttpError(400, 'intakeSpam')
        const token = stringField(fields, 'formToken')
        const now = new Date()
        const check = checkFormToken(options.secret, token, now, intake.minFillSeconds * 1000, intake.formValidityHours * 3_600_000)
        if (!check.ok) {
          if (check.reason === 'tooFast')
            throw new HttpError(400, 'intakeTooFast', { seconds: Math.max(0, Math.floor((now.getTime() - (check.issuedAt?.getTime() ?? 0)) / 1000)) })
          if (check.reason === 'expired') throw new HttpError(400, 'intakeFormExpired', { hours: intake.formValidityHours })
          throw new HttpError(400, 'intakeFormToken')
        }

        const { value, errors } = validateSubmission(fields, { locale, allowedTypes: intake.types.map((t) => t.type), channel: 'web' })
        if (problem) throw fileError(problem, errors)
        if (!value) throw new HttpError(400, 'intakeInvalid', { count: Object.keys(errors).length }, errors as Record<string, string>)
        const receipt = await ctx.service.intake
          .submit({
            channel: 'web',
            submission: value,
            files,
            idempotencyKey: token,
            client: { ip: request.ip, userAgent: request.headers['user-agent']?.slice(0, 300) ?? null, apiKeyName: null }
          })
          .catch((err: unknown) => {
            if (err instanceof IntakeLimitError)
              throw new HttpError(
                429,
                'intakeEmailRateLimited',
                { email: err.email },
                { email: translate(locale, 'intakeEmailRateLimited', { email: err.email }) }
              )
            throw err
          })
        const statusUrl = `${base}/intake/status/${receipt.publicToken}`
        reply.status(receipt.created ? 201 : 200)
        if (html)
          return pageHeaders(reply).send(
            renderConfirmationPage(pageContext(request, locale), { reference: receipt.reference, statusUrl, dueDate: receipt.dueDate })
          )
        return {
          workOrderId: receipt.workOrderId,
          reference: receipt.reference,
          dueDate: receipt.dueDate,
          statusToken: receipt.publicToken,
          statusUrl,
          confirmationQueued: receipt.confirmationQueued,
          duplicate: !receipt.created
        }
      } catch (err) {
        if (!html || !(err instanceof HttpError)) throw err
        // Without JavaScript the citizen gets the form back, filled in, with the errors next to the fields.
        const { formToken: _token, website: _hp, ...values } = fields
        const token = err.key === 'intakeFormToken' || err.key === 'intakeFormExpired' ? issueFormToken(options.secret) : stringField(fields, 'formToken')
        // the error page answers with the error's status
        return pageHeaders(reply.status(err.statusCode as 200)).send(
          renderFormPage(pageContext(request, locale), {
            token,
            values,
            errors: err.fields as FieldErrors | undefined,
            message: translate(locale, err.key, err.params)
          })
        )
      }
    }
  )

  // The citizen's own view, by the unguessable token of the confirmation: JSON for the app, a page for browsers.
  app.get<{ Params: { token: string } }>(
    '/intake/status/:token',
    {
      config: { permission: 'public' },
      schema: {
        summary: "The citizen's view of their request, by the token of the confirmation (JSON, or a page for browsers)",
        tags: ['intake'],
        params: object({ token: str }),
        response: { 200: htmlOr("The request's state, history and public notes.", statusSchema) }
      }
    },
    async (request, reply) => {
      const locale = localeOf(request, reply)
      const token = request.params.token
      const status = /^[a-f0-9]{32,64}$/.test(token) ? await ctx.service.intake.status(token, locale) : null
      if (!status) throw new HttpError(404, 'intakeStatusNotFound')
      reply.header('cache-control', 'no-store')
      if (wantsHtml(request)) return pageHeaders(reply).send(renderStatusPage(pageContext(request, locale), status))
      return status
    }
  )
}

function fileError(problem: UploadProblem, errors: FieldErrors): HttpError {
  const fields = { ...errors, attachments: problem.message } as Record<string, string>
  if (problem.status === 413) return new HttpError(413, 'intakeFileTooLarge', { detail: problem.message }, fields)
  if (problem.status === 415) return new HttpError(415, 'intakeFileType', { detail: problem.message }, fields)
  return new HttpError(400, 'intakeInvalid', { count: Object.keys(fields).length }, fields)
}

export default intakeRoutes
