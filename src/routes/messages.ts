// Message search across work orders: by Message-ID, sender address or work order.
import type { FastifyPluginAsync } from 'fastify'
import { messageIdKey } from '../mail/message-id.js'
import { badRequest, parseId } from '../http-errors.js'
import type { RouteOptions } from './context.js'

interface SearchQuery {
  messageId?: string
  from?: string
  workOrderId?: string
}

const messageRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get<{ Querystring: SearchQuery }>('/messages', { config: { permission: 'read' } }, async (request) => {
    const { messageId, from, workOrderId } = request.query
    if (!messageId && !from && !workOrderId) throw badRequest('indica almeno uno tra messageId, from e workOrderId')
    const items = await ctx.service.searchMessages({
      messageIdHash: messageId ? messageIdKey(messageId) : undefined,
      from: from || undefined,
      workOrderId: workOrderId ? parseId(workOrderId) : undefined
    })
    return { items }
  })
}

export default messageRoutes
