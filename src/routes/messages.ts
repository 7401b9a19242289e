// Message search across work orders: by Message-ID, sender address or work order.
import type { FastifyPluginAsync } from 'fastify'
import { messageIdKey } from '../mail/message-id.js'
import { operatorOf } from '../auth.js'
import { invalidField, parseId } from '../http-errors.js'
import type { RouteOptions } from './context.js'
import { bool, idParams, itemsOf, messageSchema, object, query } from './schemas.js'

interface SearchQuery {
  messageId?: string
  from?: string
  workOrderId?: string
}

const messageRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get<{ Querystring: SearchQuery }>(
    '/messages',
    {
      config: { permission: 'read' },
      schema: {
        summary: 'Search messages by Message-ID, sender address or work order (at least one)',
        tags: ['messages'],
        querystring: query({
          messageId: { type: 'string', maxLength: 998 },
          from: { type: 'string', maxLength: 320 },
          workOrderId: { type: 'string', pattern: '^[0-9]{1,15}$' }
        }),
        response: { 200: itemsOf(messageSchema) }
      }
    },
    async (request) => {
      const { messageId, from, workOrderId } = request.query
      if (!messageId && !from && !workOrderId) throw invalidField('query', 'atLeastOne', { fields: 'messageId, from, workOrderId' })
      const items = await ctx.service.messages.search({
        messageIdHash: messageId ? messageIdKey(messageId) : undefined,
        from: from || undefined,
        workOrderId: workOrderId ? parseId(workOrderId) : undefined
      })
      return { items }
    }
  )

  // The operator resolves an unknown or ambiguous sender: the message, and its work order while it still
  // sits on the generic contributor, move to the chosen contributor.
  app.post<{ Params: { id: string }; Body: { contributorId: number } }>(
    '/messages/:id/contributor',
    {
      config: { permission: 'write' },
      schema: {
        summary: 'Link a message (and its work order while on the generic contributor) to a contributor',
        tags: ['messages'],
        params: idParams,
        body: object({ contributorId: { type: 'integer', minimum: 1 } }),
        response: { 200: object({ message: messageSchema, workOrderUpdated: bool }) }
      }
    },
    async (request) => ctx.service.messages.linkContributor(parseId(request.params.id), request.body.contributorId, operatorOf(request))
  )
}

export default messageRoutes
