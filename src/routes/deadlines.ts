// Requests still awaiting their reasoned reply, most urgent first: what operators work through each morning.
import type { FastifyPluginAsync } from 'fastify'
import { parseDeadlineQuery } from './arera-params.js'
import type { RouteOptions } from './context.js'
import { bool, deadlineItemSchema, int, itemsOf, query, str } from './schemas.js'

const deadlineRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/deadlines',
    {
      config: { permission: 'read' },
      schema: {
        summary: 'Requests awaiting their reasoned reply, most urgent first',
        tags: ['ARERA'],
        querystring: query({
          mailboxId: { ...int, minimum: 1 },
          type: { ...str, description: 'An ARERA request type code.' },
          maxDaysLeft: { ...int, description: 'Only requests with at most this many working days left.' },
          overdue: { ...bool, description: 'true: only late requests; false: only those on time.' }
        }),
        response: { 200: itemsOf(deadlineItemSchema) }
      }
    },
    async (request) => ({
      items: await ctx.service.arera.deadlines(parseDeadlineQuery(request.query))
    })
  )
}

export default deadlineRoutes
