// A work order as the module sees it, and its conversation.
import { createHash } from 'node:crypto'
import type { FastifyPluginAsync } from 'fastify'
import { notFound, parseId } from '../http-errors.js'
import type { RouteOptions } from './context.js'
import { idParams, itemsOf, messageSchema, workOrderSchema } from './schemas.js'

const workOrderRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get<{ Params: { id: string } }>(
    '/work-orders/:id',
    {
      config: { permission: 'read' },
      schema: {
        summary: 'The work order as the module sees it, with its ARERA clock',
        tags: ['work orders'],
        params: idParams,
        response: { 200: workOrderSchema }
      }
    },
    async (request) => {
      const id = parseId(request.params.id)
      const workOrder = await ctx.service.workOrders.get(id)
      if (!workOrder) throw notFound('workOrderNotFound', { id })
      return workOrder
    }
  )

  // The UI polls this every few seconds with If-None-Match: the ETag is a hash of the whole serialised
  // conversation (new messages, delivery-status changes, contributor links all change it), so 304 means nothing
  // the operator could see has changed.
  app.get<{ Params: { id: string } }>(
    '/work-orders/:id/messages',
    {
      config: { permission: 'read' },
      schema: {
        summary: 'The conversation, oldest first (ETag; 304 to an unchanged If-None-Match)',
        tags: ['work orders'],
        params: idParams,
        response: { 200: itemsOf(messageSchema), 304: { description: 'Unchanged since the ETag given in If-None-Match.' } }
      }
    },
    async (request, reply) => {
      const id = parseId(request.params.id)
      const items = await ctx.service.workOrders.conversation(id)
      const body = JSON.stringify({ items })
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`
      reply.header('etag', etag).header('cache-control', 'private, no-cache')
      const ifNoneMatch = request.headers['if-none-match']
      if (typeof ifNoneMatch === 'string' && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
        return reply.status(304).send()
      }
      return reply.type('application/json; charset=utf-8').send(body)
    }
  )
}

export default workOrderRoutes
