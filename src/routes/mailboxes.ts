// Mailboxes for administrators: list, create, change, enable/disable, delete, test the connection.
// Passwords go in, never out.
import type { FastifyPluginAsync } from 'fastify'
import { operatorOf } from '../auth.js'
import { HttpError, notFound, parseId } from '../http-errors.js'
import type { MailboxSettings } from '../mail/mailbox-manager.js'
import type { RouteOptions } from './context.js'

const settingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    host: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9.-]+$' },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    secure: { type: 'boolean' },
    username: { type: 'string', minLength: 1, maxLength: 320 },
    password: { type: 'string', maxLength: 1000 },
    folder: { type: 'string', minLength: 1, maxLength: 255 },
    fromAddress: { type: ['string', 'null'], maxLength: 320, format: 'email' },
    fromName: { type: ['string', 'null'], maxLength: 200 },
    enabled: { type: 'boolean' },
    moveToFolder: { type: ['string', 'null'], maxLength: 255 },
    maxMessageBytes: { type: ['integer', 'null'], minimum: 1024 }
  }
} as const

const mailboxRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  const manager = ctx.service.mailboxes
  const audit = (request: Parameters<typeof operatorOf>[0], action: string, details: Record<string, unknown>) => {
    const op = operatorOf(request)
    return ctx.service.repositories.audit.record({ actorType: 'operator', actorId: op.id, actorName: op.name, action, details })
  }

  app.get('/mailboxes', { config: { permission: 'admin' } }, async () => ({ items: await manager.list() }))

  app.get<{ Params: { id: string } }>('/mailboxes/:id', { config: { permission: 'admin' } }, async (request) => {
    const id = parseId(request.params.id)
    return (await manager.get(id)) ?? Promise.reject(notFound('mailboxNotFound', { id }))
  })

  app.post<{ Body: MailboxSettings }>('/mailboxes', {
    config: { permission: 'admin' },
    schema: { body: { ...settingsSchema, required: ['name', 'host', 'username', 'password'] } }
  }, async (request, reply) => {
    const created = await manager.create(request.body)
    await audit(request, 'mailbox.created', { mailboxId: created.id, name: created.name })
    return reply.status(201).send(created)
  })

  app.patch<{ Params: { id: string }; Body: Partial<MailboxSettings> }>('/mailboxes/:id', {
    config: { permission: 'admin' }, schema: { body: settingsSchema }
  }, async (request) => {
    const id = parseId(request.params.id)
    const updated = await manager.update(id, request.body)
    if (!updated) throw notFound('mailboxNotFound', { id })
    await audit(request, 'mailbox.updated', { mailboxId: id, fields: Object.keys(request.body).filter((k) => k !== 'password').concat(request.body.password !== undefined ? ['password'] : []) })
    return updated
  })

  app.delete<{ Params: { id: string } }>('/mailboxes/:id', { config: { permission: 'admin' } }, async (request, reply) => {
    const id = parseId(request.params.id)
    if (!(await manager.remove(id))) throw notFound('mailboxNotFound', { id })
    await audit(request, 'mailbox.deleted', { mailboxId: id })
    return reply.status(204).send()
  })

  app.post<{ Params: { id: string } }>('/mailboxes/:id/test', { config: { permission: 'admin' } }, async (request) => {
    const id = parseId(request.params.id)
    return (await manager.test(id)) ?? Promise.reject(notFound('mailboxNotFound', { id }))
  })

  app.post<{ Body: MailboxSettings }>('/mailboxes/test', {
    config: { permission: 'admin' }, schema: { body: { ...settingsSchema, required: ['host', 'username', 'password'] } }
  }, async (request) => {
    const result = await manager.test({ ...request.body, name: request.body.name ?? 'test' })
    if (!result) throw new HttpError(400, 'invalidRequest', { detail: 'impostazioni non valide' })
    return result
  })

  app.get('/quarantine', { config: { permission: 'admin' } }, async () => ({ items: await ctx.service.repositories.quarantine.list() }))
}

export default mailboxRoutes
