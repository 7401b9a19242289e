// The spam list: what the receiving server flagged (or blocked senders wrote), released or blocked by operators;
// block rules are kept by administrators.
import type { FastifyPluginAsync } from 'fastify'
import { operatorOf } from '../auth.js'
import { parseId } from '../http-errors.js'
import type { BlockScope } from '../spam/service.js'
import type { RouteOptions } from './context.js'
import { errorResponses, idParams, nullableInteger, nullableString } from './schema-parts.js'

const entry = {
  type: 'object',
  required: ['id', 'mailboxId', 'messageId', 'from', 'subject', 'reason', 'size', 'receivedAt', 'createdAt', 'releasedAt', 'releasedBy', 'releasedMessageId'],
  properties: {
    id: { type: 'integer' },
    mailboxId: nullableInteger,
    messageId: nullableString,
    from: nullableString,
    subject: nullableString,
    reason: { type: 'string' },
    size: { type: 'integer' },
    receivedAt: { type: 'string' },
    createdAt: { type: 'string' },
    releasedAt: nullableString,
    releasedBy: nullableString,
    releasedMessageId: nullableInteger
  }
} as const

const rule = {
  type: 'object',
  required: ['id', 'pattern', 'createdBy', 'createdAt'],
  properties: { id: { type: 'integer' }, pattern: { type: 'string' }, createdBy: nullableString, createdAt: { type: 'string' } }
} as const

const spamRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  const spam = ctx.service.spam

  app.get<{ Querystring: { limit?: number; released?: boolean } }>(
    '/spam',
    {
      config: { permission: 'admin' },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 500 }, released: { type: 'boolean' } }
        },
        response: {
          200: { type: 'object', required: ['items', 'total'], properties: { items: { type: 'array', items: entry }, total: { type: 'integer' } } },
          ...errorResponses
        }
      }
    },
    async (request) => spam.list({ limit: request.query.limit, includeReleased: request.query.released })
  )

  app.post<{ Params: { id: string } }>(
    '/spam/:id/release',
    {
      config: { permission: 'write' },
      schema: {
        params: idParams,
        response: {
          200: {
            type: 'object',
            required: ['entry', 'outcome', 'workOrderId', 'messageId'],
            properties: { entry, outcome: { type: 'string' }, workOrderId: nullableInteger, messageId: nullableInteger }
          },
          ...errorResponses
        }
      }
    },
    async (request) => spam.release(parseId(request.params.id), operatorOf(request))
  )

  app.post<{ Params: { id: string }; Body: { scope: BlockScope } }>(
    '/spam/:id/block',
    {
      config: { permission: 'write' },
      schema: {
        params: idParams,
        body: { type: 'object', required: ['scope'], additionalProperties: false, properties: { scope: { type: 'string', enum: ['sender', 'domain'] } } },
        response: { 201: rule, ...errorResponses }
      }
    },
    async (request, reply) => reply.status(201).send(await spam.blockSender(parseId(request.params.id), request.body.scope, operatorOf(request)))
  )

  app.get(
    '/blocked-senders',
    {
      config: { permission: 'admin' },
      schema: { response: { 200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: rule } } }, ...errorResponses } }
    },
    async () => ({ items: await spam.rules() })
  )

  app.post<{ Body: { pattern: string } }>(
    '/blocked-senders',
    {
      config: { permission: 'admin' },
      schema: {
        body: { type: 'object', required: ['pattern'], additionalProperties: false, properties: { pattern: { type: 'string', minLength: 3, maxLength: 320 } } },
        response: { 201: rule, ...errorResponses }
      }
    },
    async (request, reply) => reply.status(201).send(await spam.addRule(request.body.pattern, operatorOf(request)))
  )

  app.delete<{ Params: { id: string } }>(
    '/blocked-senders/:id',
    {
      config: { permission: 'admin' },
      schema: { params: idParams, response: { 204: { type: 'null' }, ...errorResponses } }
    },
    async (request, reply) => {
      await spam.removeRule(parseId(request.params.id), operatorOf(request))
      return reply.status(204).send()
    }
  )
}

export default spamRoutes
