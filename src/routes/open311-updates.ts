// The servicerequestupdates extension (FixMyStreet's), in the Open311 context so errors keep the GeoReport shape:
// GET the public changes (state changes, public notes) in a time window; POST a citizen's comment with the app's
// api_key (the same key check and per-key bucket as POST requests).
import type { FastifyInstance } from 'fastify'
import { HttpError } from '../http-errors.js'
import { requestLocale } from '../i18n.js'
import { commentFromOpen311, toRequestUpdate } from '../intake/open311.js'
import { stringField, type RawFields } from '../intake/validate.js'
import type { RouteContext } from './context.js'
import { objectBody } from './input-guard.js'
import { formBody, invalid, looseFields, parseDate, responses, send, str, type createKeyGate } from './open311-http.js'

/** Updates per answer: oldest first, so a client asks again from the last updated_datetime it got. */
const UPDATES_PER_PAGE = 1000

const UPDATE_ITEM = { update_id: str, service_request_id: str, status: str, updated_datetime: str, description: str, media_url: str }
const COMMENT_FIELDS = [
  'api_key',
  'jurisdiction_id',
  'service_request_id',
  'description',
  'email',
  'first_name',
  'last_name',
  'phone',
  'media_url',
  'updated_datetime',
  'update_id',
  'update_id_ext',
  'status',
  'account_id'
]

export function registerUpdateRoutes(app: FastifyInstance, ctx: RouteContext, gate: ReturnType<typeof createKeyGate>): void {
  const { options } = ctx
  for (const format of ['json', 'xml'] as const) {
    app.get(
      `/servicerequestupdates.${format}`,
      {
        config: { permission: 'public' },
        schema: { querystring: looseFields(['start_date', 'end_date', 'jurisdiction_id', 'api_key', 'lang']), response: responses(200, UPDATE_ITEM) }
      },
      async (request, reply) => {
        const q = request.query as Record<string, unknown>
        const end = typeof q.end_date === 'string' ? parseDate(q.end_date, 'end_date') : null
        const from = typeof q.start_date === 'string' ? parseDate(q.start_date, 'start_date') : new Date((end?.getTime() ?? Date.now()) - 90 * 86_400_000)
        if (end && from > end) throw invalid('start_date è successiva a end_date')
        const to = end ?? new Date(Math.max(Date.now(), from.getTime()) + 86_400_000)
        const updates = await ctx.service.intake.listUpdates({ from, to, limit: UPDATES_PER_PAGE }, requestLocale(request, options.locale))
        return send(reply, format, 'service_request_updates', updates.map(toRequestUpdate))
      }
    )

    app.post(
      `/servicerequestupdates.${format}`,
      {
        config: { permission: 'public' },
        schema: {
          querystring: looseFields(['api_key', 'jurisdiction_id', 'lang']),
          body: formBody(COMMENT_FIELDS),
          response: responses(201, { update_id: str })
        }
      },
      async (request, reply) => {
        const locale = requestLocale(request, options.locale)
        const body: RawFields = objectBody(request.body) ?? {}
        const client = gate.admit(stringField(body, 'api_key') || stringField(request.query as RawFields, 'api_key'), reply)
        const { value, errors } = commentFromOpen311(body, locale)
        if (!value.reference) throw new HttpError(400, 'open311UpdateRequestMissing')
        if (errors.length) throw invalid(errors.join('; '))
        const result = await ctx.service.intake.addComment({ ...value, client: { apiKeyName: client.name, ip: request.ip } })
        if (result === 'notFound') throw new HttpError(404, 'open311RequestNotFound', { id: value.reference })
        reply.status(result.created ? 201 : 200)
        return send(reply, format, 'service_request_updates', [{ update_id: `comment-${result.messageId}` }])
      }
    )
  }
}
