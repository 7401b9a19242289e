// Requests still awaiting their reasoned reply, most urgent first: what operators work through each morning.
import type { FastifyPluginAsync } from 'fastify'
import { parseDeadlineQuery } from '../arera/params.js'
import type { RouteOptions } from './context.js'

const deadlineRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get('/deadlines', { config: { permission: 'read' } }, async (request) => ({
    items: await ctx.service.arera.deadlines(parseDeadlineQuery(request.query))
  }))
}

export default deadlineRoutes
