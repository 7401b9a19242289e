// Moderation of what the public sees of a citizen's report (Open311 GET requests): by default only the category,
// the status and a coarse location; an operator with `write` approves publishing the description (or a text of
// their own, with personal data removed), the exact place and the media, or withdraws it. Audited.
import type { FastifyPluginAsync } from 'fastify'
import { operatorOf } from '../auth.js'
import { HttpError, notFound, parseId } from '../http-errors.js'
import { htmlToText, sanitizeEditorHtml } from '../mail/sanitize.js'
import type { RouteOptions } from './context.js'

interface PublicationBody {
  approved: boolean
  description?: string | null
}

const nullableString = { type: 'string', nullable: true } as const

const publicationRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.put<{ Params: { id: string }; Body: PublicationBody }>(
    '/work-orders/:id/publication',
    {
      config: { permission: 'write' },
      schema: {
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 40 } } },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['approved'],
          properties: { approved: { type: 'boolean' }, description: { type: 'string', nullable: true, maxLength: 10_000 } }
        },
        response: {
          200: {
            type: 'object',
            properties: {
              workOrderId: { type: 'integer' },
              reference: { type: 'string' },
              approved: { type: 'boolean' },
              description: nullableString,
              approvedBy: nullableString,
              changedAt: nullableString
            }
          }
        }
      }
    },
    async (request) => {
      const id = parseId(request.params.id)
      const raw = request.body.description
      // the text to publish is plain text: markup is dropped, never published
      const description = typeof raw === 'string' && raw.trim() !== '' ? htmlToText(sanitizeEditorHtml(raw, { imageSrc: () => null })).trim() : null
      const result = await ctx.service.intake.setPublication(id, { approved: request.body.approved, description }, operatorOf(request))
      if (result === 'notFound') throw notFound('publicationNotFound', { id })
      if (result === 'notPublishable') throw new HttpError(409, 'publicationNotAllowed')
      return {
        workOrderId: result.workOrderId,
        reference: result.reference,
        approved: result.publication.approved,
        description: result.publication.description,
        approvedBy: result.publication.by,
        changedAt: result.publication.at
      }
    }
  )
}

export default publicationRoutes
