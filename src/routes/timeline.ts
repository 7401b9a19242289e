// The conversation's internal timeline: notes that are never sent, and state changes of the work order.
import type { FastifyPluginAsync } from 'fastify'
import { operatorOf } from '../auth.js'
import { badRequest, notFound, parseId } from '../http-errors.js'
import type { RouteOptions } from './context.js'

function objectBody(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('il corpo della richiesta deve essere un oggetto JSON')
  return body as Record<string, unknown>
}

function optionalText(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw badRequest(`il campo "${name}" deve essere un testo`, { [name]: 'deve essere un testo' })
  return value
}

const timelineRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.post<{ Params: { id: string } }>('/work-orders/:id/notes', { config: { permission: 'write' } }, async (request, reply) => {
    const id = parseId(request.params.id)
    const body = objectBody(request.body)
    const html = optionalText(body, 'html') ?? ''
    const messageId = await ctx.service.workOrders.addNote(id, { html }, operatorOf(request))
    return reply.status(201).send(await ctx.service.messages.get(messageId))
  })

  app.post<{ Params: { id: string } }>('/work-orders/:id/state', { config: { permission: 'write' } }, async (request) => {
    const id = parseId(request.params.id)
    const body = objectBody(request.body)
    const result = await ctx.service.workOrders.setState(id, { state: body.state, note: optionalText(body, 'note') }, operatorOf(request))
    const workOrder = await ctx.service.workOrders.get(id)
    if (!workOrder) throw notFound('workOrderNotFound', { id })
    return { changed: result.changed, workOrder, message: result.messageId === null ? null : await ctx.service.messages.get(result.messageId) }
  })
}

export default timelineRoutes
