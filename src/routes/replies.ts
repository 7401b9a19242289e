// Answering from the work order: reply to the citizen and forward to third parties, as JSON or as multipart with
// `attachments` files. The mail is queued in the outbox with the message; the outbox worker sends it.
import multipart from '@fastify/multipart'
import type { FastifyPluginAsync } from 'fastify'
import { operatorOf } from '../auth.js'
import { notFound, parseId } from '../http-errors.js'
import type { RouteOptions } from './context.js'
import { addressField, booleanField, idsField, readFormBody, stringField, type BodyLimits } from './body.js'
import { bool, idParams, int, messageSchema, object, str } from './schemas.js'

/** Email addresses: one string (comma-separated allowed) or a list. */
export const addresses = { anyOf: [str, { type: 'array', items: str }], description: 'An address, several separated by commas, or a list.' }
const ids = { anyOf: [str, { type: 'array', items: { anyOf: [int, str] } }], description: 'Ids: a list, or a comma-separated string.' }
const flag = { anyOf: [bool, str], description: 'true or false (a form sends "true"/"false").' }

/** JSON, or multipart/form-data with the same fields and the files under `attachments`. */
function formBody(properties: Record<string, Record<string, unknown>>, required: string[]) {
  const json = object(
    properties,
    Object.keys(properties).filter((k) => !required.includes(k))
  )
  // null allowed: the multipart body is read by the route (body.ts), so Fastify has nothing to validate there
  const multipart = {
    type: ['object', 'null'],
    properties: { ...properties, attachments: { type: 'array', items: { type: 'string', format: 'binary' } } },
    required
  }
  return { content: { 'application/json': { schema: json }, 'multipart/form-data': { schema: multipart } } }
}

const createdResponse = { 201: { ...messageSchema, description: 'The queued outbound message.' } }

const replyRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  const limits: BodyLimits = { maxFileBytes: ctx.options.mail.maxAttachmentBytes, maxTotalBytes: ctx.options.mail.maxOutboundBytes, maxFiles: 20 }
  // Registered here, not on the whole module: only these routes accept multipart, with these limits; body.ts turns
  // a file over the limit into a 413 that names it (throwFileSizeLimit: false leaves that to us).
  await app.register(multipart, { throwFileSizeLimit: false, limits: { fileSize: limits.maxFileBytes, files: limits.maxFiles } })
  const bodyLimit = 4 * 1024 * 1024

  const created = async (id: number) => {
    const message = await ctx.service.messages.get(id)
    if (!message) throw notFound('messageNotFound', { id })
    return message
  }

  app.post<{ Params: { id: string } }>(
    '/work-orders/:id/reply',
    {
      config: { permission: 'write' },
      bodyLimit,
      schema: {
        summary: 'Reply to the citizen (queued in the outbox); reasonedReply stops the ARERA clock',
        tags: ['work orders'],
        params: idParams,
        body: formBody({ html: str, to: addresses, cc: addresses, attachmentIds: ids, reasonedReply: flag, signature: flag }, ['html']),
        response: createdResponse
      }
    },
    async (request, reply) => {
      const id = parseId(request.params.id)
      const { fields, files } = await readFormBody(request, limits)
      const messageId = await ctx.service.workOrders.reply(
        id,
        {
          html: stringField(fields, 'html', true) as string,
          to: addressField(fields, 'to'),
          cc: addressField(fields, 'cc'),
          attachmentIds: idsField(fields, 'attachmentIds'),
          reasonedReply: booleanField(fields, 'reasonedReply'),
          signature: booleanField(fields, 'signature'),
          files
        },
        operatorOf(request)
      )
      return reply.status(201).send(await created(messageId))
    }
  )

  app.post<{ Params: { id: string } }>(
    '/work-orders/:id/forward',
    {
      config: { permission: 'write' },
      bodyLimit,
      schema: {
        summary: 'Forward messages of the conversation to third parties (internal notes never)',
        tags: ['work orders'],
        params: idParams,
        body: formBody({ to: addresses, cc: addresses, note: { type: ['string', 'null'] }, messageIds: ids, includeAttachments: flag, signature: flag }, []),
        response: createdResponse
      }
    },
    async (request, reply) => {
      const id = parseId(request.params.id)
      const { fields, files } = await readFormBody(request, limits)
      const messageId = await ctx.service.workOrders.forward(
        id,
        {
          to: addressField(fields, 'to'),
          cc: addressField(fields, 'cc'),
          note: stringField(fields, 'note'),
          messageIds: idsField(fields, 'messageIds'),
          includeAttachments: booleanField(fields, 'includeAttachments'),
          signature: booleanField(fields, 'signature'),
          files
        },
        operatorOf(request)
      )
      return reply.status(201).send(await created(messageId))
    }
  )
}

export default replyRoutes
