// The operator's notifications (list, unread count, mark read), their email setting, and following a work order.
import type { FastifyPluginAsync } from 'fastify'
import { operatorOf } from '../auth.js'
import { parseId } from '../http-errors.js'
import { requestLocale } from '../i18n.js'
import type { RouteOptions } from './context.js'
import { errorResponses, idParams, nullableString } from './schema-parts.js'

const KINDS = ['citizen_reply', 'delivery_failed', 'due_tomorrow'] as const
const notification = {
  type: 'object',
  required: ['id', 'workOrderId', 'reference', 'subject', 'kind', 'label', 'detail', 'createdAt', 'readAt'],
  properties: {
    id: { type: 'integer' },
    workOrderId: { type: 'integer' },
    reference: nullableString,
    subject: nullableString,
    kind: { type: 'string', enum: KINDS },
    label: { type: 'string' },
    detail: nullableString,
    createdAt: { type: 'string' },
    readAt: nullableString
  }
} as const
const list = {
  type: 'object',
  required: ['items', 'unread'],
  properties: { items: { type: 'array', items: notification }, unread: { type: 'integer' } }
} as const
const settings = {
  type: 'object',
  required: ['emailNotifications', 'email', 'locale'],
  properties: { emailNotifications: { type: 'boolean' }, email: nullableString, locale: { type: 'string', enum: ['it', 'en'] } }
} as const
const followers = {
  type: 'object',
  required: ['following', 'followers'],
  properties: {
    following: { type: 'boolean' },
    followers: {
      type: 'array',
      items: {
        type: 'object',
        required: ['workOrderId', 'operatorId', 'operatorName', 'reason', 'createdAt'],
        properties: {
          workOrderId: { type: 'integer' },
          operatorId: { type: 'string' },
          operatorName: nullableString,
          reason: { type: 'string', enum: ['replied', 'followed'] },
          createdAt: { type: 'string' }
        }
      }
    }
  }
} as const

const notificationRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  const service = ctx.service.notifications

  app.get<{ Querystring: { unread?: boolean; limit?: number } }>(
    '/notifications',
    {
      config: { permission: 'read' },
      schema: {
        description: "The operator's notifications, newest first, with the unread count.",
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { unread: { type: 'boolean' }, limit: { type: 'integer', minimum: 1, maximum: 200 } }
        },
        response: { 200: list, ...errorResponses }
      }
    },
    async (request) =>
      service.list(operatorOf(request), { unreadOnly: request.query.unread, limit: request.query.limit }, requestLocale(request, ctx.options.locale))
  )

  app.post<{ Body: { ids?: number[] } }>(
    '/notifications/read',
    {
      config: { permission: 'read' },
      schema: {
        description: 'Marks the given notifications read, or all of them without `ids`.',
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { ids: { type: 'array', maxItems: 500, items: { type: 'integer', minimum: 1 } } }
        },
        response: {
          200: { type: 'object', required: ['marked', 'unread'], properties: { marked: { type: 'integer' }, unread: { type: 'integer' } } },
          ...errorResponses
        }
      }
    },
    async (request) => service.markRead(operatorOf(request), request.body?.ids ?? null)
  )

  app.get('/notifications/settings', { config: { permission: 'read' }, schema: { response: { 200: settings, ...errorResponses } } }, async (request) =>
    service.settings(operatorOf(request))
  )

  app.put<{ Body: { emailNotifications: boolean; locale?: 'it' | 'en' } }>(
    '/notifications/settings',
    {
      config: { permission: 'read' },
      schema: {
        description: 'Email notifications on or off; they go to the address the host gives for the operator.',
        body: {
          type: 'object',
          required: ['emailNotifications'],
          additionalProperties: false,
          properties: { emailNotifications: { type: 'boolean' }, locale: { type: 'string', enum: ['it', 'en'] } }
        },
        response: { 200: settings, ...errorResponses }
      }
    },
    async (request) => service.saveSettings(operatorOf(request), request.body)
  )

  app.get<{ Params: { id: string } }>(
    '/work-orders/:id/followers',
    { config: { permission: 'read' }, schema: { params: idParams, response: { 200: followers, ...errorResponses } } },
    async (request) => service.followers(parseId(request.params.id), operatorOf(request))
  )

  app.post<{ Params: { id: string } }>(
    '/work-orders/:id/follow',
    { config: { permission: 'read' }, schema: { params: idParams, response: { 200: followers, ...errorResponses } } },
    async (request) => service.follow(parseId(request.params.id), operatorOf(request))
  )

  app.delete<{ Params: { id: string } }>(
    '/work-orders/:id/follow',
    { config: { permission: 'read' }, schema: { params: idParams, response: { 200: followers, ...errorResponses } } },
    async (request) => service.unfollow(parseId(request.params.id), operatorOf(request))
  )
}

export default notificationRoutes
