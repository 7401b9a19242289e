// The conversation's internal timeline: notes that are never sent, and state changes of the work order.
import type { FastifyPluginAsync } from 'fastify'
import { operatorOf } from '../auth.js'
import { notFound, parseId } from '../http-errors.js'
import type { RouteOptions } from './context.js'
import { bool, idParams, messageSchema, nullableStr, object, str, workOrderSchema } from './schemas.js'

const timelineRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.post<{ Params: { id: string }; Body: { html?: string | null } }>(
    '/work-orders/:id/notes',
    {
      config: { permission: 'write' },
      schema: {
        summary: 'Add an internal note (never sent)',
        tags: ['work orders'],
        params: idParams,
        body: object({ html: nullableStr }, ['html']),
        response: { 201: { ...messageSchema, description: 'The stored note.' } }
      }
    },
    async (request, reply) => {
      const messageId = await ctx.service.workOrders.addNote(parseId(request.params.id), { html: request.body.html ?? '' }, operatorOf(request))
      return reply.status(201).send(await ctx.service.messages.get(messageId))
    }
  )

  app.post<{ Params: { id: string }; Body: { state: string; note?: string | null } }>(
    '/work-orders/:id/state',
    {
      config: { permission: 'write' },
      schema: {
        summary: "Change the work order's state (open, in_progress, waiting, closed), with an optional note",
        tags: ['work orders'],
        params: idParams,
        body: object({ state: str, note: nullableStr }, ['note']),
        response: { 200: object({ changed: bool, workOrder: workOrderSchema, message: { anyOf: [messageSchema, { type: 'null' }] } }) }
      }
    },
    async (request) => {
      const id = parseId(request.params.id)
      const result = await ctx.service.workOrders.setState(id, { state: request.body.state, note: request.body.note ?? undefined }, operatorOf(request))
      const workOrder = await ctx.service.workOrders.get(id)
      if (!workOrder) throw notFound('workOrderNotFound', { id })
      return { changed: result.changed, workOrder, message: result.messageId === null ? null : await ctx.service.messages.get(result.messageId) }
    }
  )
}

export default timelineRoutes
