// The conversation document: download it, or mail it (permission `documents`).
import type { FastifyPluginAsync } from 'fastify'
import { operatorOf } from '../auth.js'
import { badRequest, parseId } from '../http-errors.js'
import { requestLocale } from '../i18n.js'
import { contentDisposition } from './attachments.js'
import type { RouteOptions } from './context.js'

const exportRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get<{ Params: { id: string }; Querystring: { notes?: string } }>('/work-orders/:id/export.docx', { config: { permission: 'read' } }, async (request, reply) => {
    const id = parseId(request.params.id)
    const notes = request.query.notes
    if (notes !== undefined && notes !== 'true' && notes !== 'false') throw badRequest('il parametro "notes" deve essere true o false', { notes: 'true o false' })
    const doc = await ctx.service.workOrders.exportDocument(id, { locale: requestLocale(request, ctx.options.locale), includeNotes: notes !== 'false' })
    return reply
      .header('content-type', doc.contentType)
      .header('content-disposition', contentDisposition(doc.filename))
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, no-store')
      .send(doc.content)
  })

  app.post<{ Params: { id: string } }>('/work-orders/:id/export/send', { config: { permission: 'documents' } }, async (request, reply) => {
    const id = parseId(request.params.id)
    const body = request.body
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('il corpo della richiesta deve essere un oggetto JSON')
    const { to, cc, note, includeNotes } = body as Record<string, unknown>
    if (note !== undefined && note !== null && typeof note !== 'string') throw badRequest('il campo "note" deve essere un testo', { note: 'deve essere un testo' })
    if (includeNotes !== undefined && typeof includeNotes !== 'boolean') throw badRequest('il campo "includeNotes" deve essere true o false', { includeNotes: 'true o false' })
    const messageId = await ctx.service.workOrders.sendDocument(id, { to, cc, note: note ?? undefined, includeNotes }, operatorOf(request))
    return reply.status(201).send(await ctx.service.messages.get(messageId))
  })
}

export default exportRoutes
