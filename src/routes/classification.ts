// A work order's regulatory record: its ARERA type (classification), its clock (suspend, resume, extend) and,
// for a missed standard, the cause. Every change is audited by the service.
import type { FastifyPluginAsync } from 'fastify'
import { operatorOf } from '../auth.js'
import { parseId } from '../http-errors.js'
import type { RouteOptions } from './context.js'
import { clockFieldsSchema, idParams } from './schemas.js'

const clock = (summary: string) => ({
  summary,
  tags: ['ARERA'],
  params: idParams,
  response: { 200: { ...clockFieldsSchema, description: "The work order's ARERA fields after the change." } }
})

const classificationRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  const arera = ctx.service.arera

  app.put<{ Params: { id: string }; Body: { type?: unknown; service?: unknown; noDueDateReason?: unknown } }>(
    '/work-orders/:id/classification',
    {
      config: { permission: 'write' },
      schema: {
        ...clock('Confirm or change the ARERA request type (and service); the due date is recomputed'),
        body: {
          type: 'object',
          required: ['type'],
          properties: { type: { type: 'string' }, service: { type: ['string', 'null'] }, noDueDateReason: { type: 'string', maxLength: 500 } },
          additionalProperties: false
        }
      }
    },
    async (request) => arera.classify(parseId(request.params.id), request.body, operatorOf(request))
  )

  app.post<{ Params: { id: string }; Body: { action?: unknown; reason?: unknown; days?: unknown } }>(
    '/work-orders/:id/clock',
    {
      config: { permission: 'write' },
      schema: {
        ...clock('Suspend, resume or extend the ARERA clock, with a reason'),
        body: {
          type: 'object',
          required: ['action', 'reason'],
          properties: { action: { type: 'string' }, reason: { type: 'string', maxLength: 1000 }, days: { type: 'integer' } },
          additionalProperties: false
        }
      }
    },
    async (request) => arera.clockAction(parseId(request.params.id), request.body, operatorOf(request))
  )

  app.put<{ Params: { id: string }; Body: { cause?: unknown } }>(
    '/work-orders/:id/miss-cause',
    {
      config: { permission: 'write' },
      schema: {
        ...clock('Record (or clear) the cause of a missed standard'),
        body: { type: 'object', required: ['cause'], properties: { cause: { type: ['string', 'null'] } }, additionalProperties: false }
      }
    },
    async (request) => arera.setMissCause(parseId(request.params.id), request.body.cause ?? null, operatorOf(request))
  )
}

export default classificationRoutes
