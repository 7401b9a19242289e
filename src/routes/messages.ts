// Message search across work orders: by Message-ID, sender address or work order.
import type { FastifyPluginAsync } from 'fastify'
import { messageIdKey } from '../mail/message-id.js'
import { operatorOf } from '../auth.js'
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
    const items = await ctx.service.messages.search({
      messageIdHash: messageId ? messageIdKey(messageId) : undefined,
      from: from || undefined,
      workOrderId: workOrderId ? parseId(workOrderId) : undefined
    })
    return { items }
  })

  // The operator resolves an unknown or ambiguous sender: the message, and its work order while it still
  // sits on the generic contributor, move to the chosen contributor.
  app.post<{ Params: { id: string }; Body: { contributorId: number } }>('/messages/:id/contributor', {
    config: { permission: 'write' },
    schema: { body: { type: 'object', required: ['contributorId'], additionalProperties: false, properties: { contributorId: { type: 'integer', minimum: 1 } } } }
  }, async (request) => {
    const id = parseId(request.params.id)
    return ctx.service.messages.linkContributor(id, request.body.contributorId, operatorOf(request))
  })
}

export default messageRoutes
