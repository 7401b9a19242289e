// The conversation document: download it, or mail it (permission `documents`).
import type { FastifyPluginAsync } from 'fastify'
import { operatorOf } from '../auth.js'
import { parseId } from '../http-errors.js'
import { requestLocale } from '../i18n.js'
import { contentDisposition } from './attachments.js'
import type { RouteOptions } from './context.js'
import { addresses } from './replies.js'
import { bool, download, idParams, messageSchema, nullableStr, object, query } from './schemas.js'

const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'

interface SendBody {
  to?: string | string[]
  cc?: string | string[]
  note?: string | null
  includeNotes?: boolean
}

const exportRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get<{ Params: { id: string }; Querystring: { notes?: boolean } }>(
    '/work-orders/:id/export.docx',
    {
      config: { permission: 'read' },
      schema: {
        summary: 'The conversation as a Word document',
        tags: ['work orders'],
        params: idParams,
        querystring: query({ notes: { ...bool, description: 'Include internal notes (default true).' } }),
        response: { 200: download('The .docx document.', DOCX_TYPE) }
      }
    },
    async (request, reply) => {
      const id = parseId(request.params.id)
      const doc = await ctx.service.workOrders.exportDocument(id, {
        locale: requestLocale(request, ctx.options.locale),
        includeNotes: request.query.notes !== false
      })
      return reply
        .header('content-type', doc.contentType)
        .header('content-disposition', contentDisposition(doc.filename))
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .send(doc.content)
    }
  )

  app.post<{ Params: { id: string }; Body: SendBody }>(
    '/work-orders/:id/export/send',
    {
      config: { permission: 'documents' },
      schema: {
        summary: 'Mail the conversation document (internal notes left out unless includeNotes)',
        tags: ['work orders'],
        params: idParams,
        body: object({ to: addresses, cc: addresses, note: nullableStr, includeNotes: bool }, ['to', 'cc', 'note', 'includeNotes']),
        response: { 201: { ...messageSchema, description: 'The queued outbound message.' } }
      }
    },
    async (request, reply) => {
      const { to, cc, note, includeNotes } = request.body
      const messageId = await ctx.service.workOrders.sendDocument(
        parseId(request.params.id),
        { to, cc, note: note ?? undefined, includeNotes },
        operatorOf(request)
      )
      return reply.status(201).send(await ctx.service.messages.get(messageId))
    }
  )
}

export default exportRoutes
