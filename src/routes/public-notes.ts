// Public notes: what an operator tells the citizen about their request. The note joins the conversation (channel
// 'note', meta.public), shows in the citizen's status page and in Open311's status_notes, and with `notify` is
// also mailed to the citizen through the outbox.
import type { FastifyPluginAsync } from 'fastify'
import { operatorOf } from '../auth.js'
import { fieldError, parseId } from '../http-errors.js'
import { errorResponse } from './openapi.js'
import { htmlToText, sanitizeEditorHtml, textToHtml } from '../mail/sanitize.js'
import type { RouteOptions } from './context.js'
import { idParams, int, messageSchema, object, str } from './schemas.js'

interface PublicNoteBody {
  text?: string
  html?: string
  notify?: boolean
}

const publicNoteRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.post<{ Params: { id: string }; Body: PublicNoteBody }>(
    '/work-orders/:id/public-notes',
    {
      config: { permission: 'write' },
      schema: {
        summary: 'A note the citizen may read (status page, Open311); with notify, also mailed to them',
        tags: ['intake'],
        params: idParams,
        response: {
          201: object({ note: messageSchema, notification: { anyOf: [object({ messageId: int, outboxId: int, to: str }), { type: 'null' }] } }),
          409: errorResponse(409, 'The note cannot be mailed: no citizen address, or no sender configured.')
        },
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { text: { type: 'string', maxLength: 20_000 }, html: { type: 'string', maxLength: 100_000 }, notify: { type: 'boolean' } }
        }
      }
    },
    async (request, reply) => {
      const id = parseId(request.params.id)
      const body = request.body ?? {}
      const html = body.html ? sanitizeEditorHtml(body.html, { imageSrc: () => null }) : textToHtml(body.text ?? '')
      const text = htmlToText(html).trim()
      if (!text) throw fieldError(400, 'publicNoteEmpty', {}, 'text')
      const result = await ctx.service.intake.addPublicNote(id, { text, html, notify: body.notify === true }, operatorOf(request))
      reply.status(201)
      return { note: await ctx.service.messages.get(result.noteId), notification: result.notification }
    }
  )
}

export default publicNoteRoutes
