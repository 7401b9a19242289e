// Answering from the work order: reply to the citizen and forward to third parties, as JSON or as multipart with
// `attachments` files. The mail is queued in the outbox with the message; the outbox worker sends it.
import multipart from '@fastify/multipart'
import type { FastifyPluginAsync } from 'fastify'
import { operatorOf } from '../auth.js'
import { notFound, parseId } from '../http-errors.js'
import type { RouteOptions } from './context.js'
import { addressField, booleanField, idsField, readFormBody, stringField, type BodyLimits } from './body.js'

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

  app.post<{ Params: { id: string } }>('/work-orders/:id/reply', { config: { permission: 'write' }, bodyLimit }, async (request, reply) => {
    const id = parseId(request.params.id)
    const { fields, files } = await readFormBody(request, limits)
    const messageId = await ctx.service.workOrders.reply(id, {
      html: stringField(fields, 'html', true) as string,
      to: addressField(fields, 'to'),
      cc: addressField(fields, 'cc'),
      attachmentIds: idsField(fields, 'attachmentIds'),
      reasonedReply: booleanField(fields, 'reasonedReply'),
      signature: booleanField(fields, 'signature'),
      files
    }, operatorOf(request))
    return reply.status(201).send(await created(messageId))
  })

  app.post<{ Params: { id: string } }>('/work-orders/:id/forward', { config: { permission: 'write' }, bodyLimit }, async (request, reply) => {
    const id = parseId(request.params.id)
    const { fields, files } = await readFormBody(request, limits)
    const messageId = await ctx.service.workOrders.forward(id, {
      to: addressField(fields, 'to'),
      cc: addressField(fields, 'cc'),
      note: stringField(fields, 'note'),
      messageIds: idsField(fields, 'messageIds'),
      includeAttachments: booleanField(fields, 'includeAttachments'),
      signature: booleanField(fields, 'signature'),
      files
    }, operatorOf(request))
    return reply.status(201).send(await created(messageId))
  })
}

export default replyRoutes
