// A work order as the module sees it, and its conversation.
import type { FastifyPluginAsync } from 'fastify'
import { notFound, parseId } from '../http-errors.js'
import type { RouteOptions } from './context.js'

const workOrderRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get<{ Params: { id: string } }>('/work-orders/:id', { config: { permission: 'read' } }, async (request) => {
    const id = parseId(request.params.id)
    const workOrder = await ctx.service.getWorkOrder(id)
    if (!workOrder) throw notFound('workOrderNotFound', { id })
    return workOrder
  })

  app.get<{ Params: { id: string } }>('/work-orders/:id/messages', { config: { permission: 'read' } }, async (request) => {
    const id = parseId(request.params.id)
    const workOrder = await ctx.service.repositories.host.findWorkOrder(id)
    if (!workOrder) throw notFound('workOrderNotFound', { id })
    return { items: await ctx.service.getConversation(id) }
  })
}

export default workOrderRoutes
