// Canned answers: the shared ones (administrators keep them) and each operator's own; the placeholders they may
// use; the preview that fills one in for a work order (what the composer inserts).
import type { FastifyPluginAsync } from 'fastify'
import { operatorOf } from '../auth.js'
import type { TemplateLang } from '../domain/templates.js'
import { parseId } from '../http-errors.js'
import type { RenderRequest, TemplateBody } from '../templates/service.js'
import type { RouteOptions } from './context.js'
import { errorResponses, idParams, nullableString } from './schema-parts.js'

const field = {
  type: 'object',
  required: ['name', 'label', 'required'],
  additionalProperties: false,
  properties: { name: { type: 'string', minLength: 1, maxLength: 40 }, label: { type: 'string', minLength: 1, maxLength: 200 }, required: { type: 'boolean' } }
} as const

const templateBody = {
  type: 'object',
  required: ['scope', 'name', 'lang', 'html'],
  additionalProperties: false,
  properties: {
    scope: { type: 'string', enum: ['shared', 'personal'] },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    lang: { type: 'string', enum: ['it', 'en'] },
    html: { type: 'string', minLength: 1, maxLength: 200_000 },
    fields: { type: 'array', maxItems: 30, items: field },
    reasonedReply: { type: 'boolean' }
  }
} as const

const template = {
  type: 'object',
  required: ['id', 'scope', 'ownerId', 'name', 'lang', 'html', 'fields', 'reasonedReply', 'systemKey', 'updatedBy', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'integer' },
    scope: { type: 'string' },
    ownerId: nullableString,
    name: { type: 'string' },
    lang: { type: 'string' },
    html: { type: 'string' },
    fields: { type: 'array', items: field },
    reasonedReply: { type: 'boolean' },
    systemKey: nullableString,
    updatedBy: nullableString,
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' }
  }
} as const

const langQuery = { type: 'object', additionalProperties: false, properties: { lang: { type: 'string', enum: ['it', 'en'] } } } as const

const renderBody = {
  type: 'object',
  required: ['workOrderId'],
  additionalProperties: false,
  properties: {
    workOrderId: { type: 'integer', minimum: 1 },
    fields: { type: 'object', maxProperties: 30, additionalProperties: { type: 'string', maxLength: 20_000 } },
    attachmentNames: { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 300 } }
  }
} as const

const rendered = {
  type: 'object',
  required: ['templateId', 'html', 'missing', 'unavailable', 'reasonedReply'],
  properties: {
    templateId: { type: 'integer' },
    html: { type: 'string' },
    missing: { type: 'array', items: field },
    unavailable: { type: 'array', items: { type: 'string' } },
    reasonedReply: { type: 'boolean' }
  }
} as const

const templateRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  const templates = ctx.service.templates

  app.get<{ Querystring: { lang?: TemplateLang } }>(
    '/templates/placeholders',
    {
      config: { permission: 'read' },
      schema: {
        querystring: langQuery,
        response: {
          200: {
            type: 'object',
            required: ['items'],
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['name', 'description', 'signature'],
                  properties: { name: { type: 'string' }, description: { type: 'string' }, signature: { type: 'boolean' } }
                }
              }
            }
          },
          ...errorResponses
        }
      }
    },
    async (request) => ({ items: templates.placeholders(request.query.lang ?? ctx.options.locale) })
  )

  app.get<{ Querystring: { lang?: TemplateLang } }>(
    '/templates',
    {
      config: { permission: 'read' },
      schema: {
        querystring: langQuery,
        response: { 200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: template } } }, ...errorResponses }
      }
    },
    async (request) => ({ items: await templates.list(operatorOf(request), request.query.lang) })
  )

  app.get<{ Params: { id: string } }>(
    '/templates/:id',
    {
      config: { permission: 'read' },
      schema: { params: idParams, response: { 200: template, ...errorResponses } }
    },
    async (request) => templates.get(parseId(request.params.id), operatorOf(request))
  )

  // write: an operator keeps their own; a shared template also needs admin (checked by the service: 403)
  app.post<{ Body: TemplateBody }>(
    '/templates',
    {
      config: { permission: 'write' },
      schema: { body: templateBody, response: { 201: template, ...errorResponses } }
    },
    async (request, reply) => reply.status(201).send(await templates.create(request.body, operatorOf(request)))
  )

  app.put<{ Params: { id: string }; Body: TemplateBody }>(
    '/templates/:id',
    {
      config: { permission: 'write' },
      schema: { params: idParams, body: templateBody, response: { 200: template, ...errorResponses } }
    },
    async (request) => templates.update(parseId(request.params.id), request.body, operatorOf(request))
  )

  app.delete<{ Params: { id: string } }>(
    '/templates/:id',
    {
      config: { permission: 'write' },
      schema: { params: idParams, response: { 204: { type: 'null' }, ...errorResponses } }
    },
    async (request, reply) => {
      await templates.remove(parseId(request.params.id), operatorOf(request))
      return reply.status(204).send()
    }
  )

  app.post<{ Params: { id: string }; Body: RenderRequest }>(
    '/templates/:id/render',
    {
      config: { permission: 'write' },
      schema: { params: idParams, body: renderBody, response: { 200: rendered, ...errorResponses } }
    },
    async (request) => templates.render(parseId(request.params.id), request.body, operatorOf(request))
  )
}

export default templateRoutes
