// The OpenAPI 3.1 description of every module route, generated from the routes' JSON schemas by @fastify/swagger
// and served at `<prefix>/openapi.json` (public: it describes the API, never data). Every operation states the
// permission it needs (`x-permission`, and in its description) and its error responses, which share one schema
// (src/routes/errors.ts) and are serialised through it.
import swagger from '@fastify/swagger'
import type { FastifyInstance, RouteOptions } from 'fastify'
import type { RoutePermission } from '../auth.js'
import { errorSchema } from './errors.js'

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: `problems` names each field and what is wrong with it.',
  401: 'No operator: the host did not authenticate the request.',
  403: 'The operator lacks the permission this operation needs.',
  404: 'Not found: an unknown id, or no such route.',
  500: 'Internal error (details are logged, never answered).'
}

const PERMISSION_TEXT: Record<RoutePermission, string> = {
  public: 'Public: no operator needed.',
  read: 'Permission `read`: see conversations.',
  write: 'Permission `write`: reply, forward, notes, state.',
  documents: 'Permission `documents`: send the conversation document.',
  admin: 'Permission `admin`: mailboxes and settings.'
}

type RouteSchema = Record<string, unknown> & { response?: Record<string, unknown> }

/** The error response schema for a status, with what it means. */
export const errorResponse = (status: number, description = ERROR_DESCRIPTIONS[status] ?? 'Error.') => ({ ...errorSchema, description })

/** Adds the permission and the shared error responses to one route's schema (a route's own responses win). */
function documentRoute(route: RouteOptions): void {
  const permission = (route.config as { permission?: RoutePermission } | undefined)?.permission
  if (!permission) return
  const schema = (route.schema ?? {}) as RouteSchema
  const statuses = [400, ...(permission === 'public' ? [] : [401, 403]), ...(route.url.includes(':') ? [404] : []), 500]
  const errors = Object.fromEntries(statuses.map((s) => [String(s), errorResponse(s)]))
  const description = [schema.description, PERMISSION_TEXT[permission]].filter(Boolean).join('\n\n')
  route.schema = { ...schema, description, 'x-permission': permission, response: { ...errors, ...schema.response } } as RouteOptions['schema']
}

/** Registers the generator on the module's context (before any route) and the route that serves the document. */
export async function installOpenApi(app: FastifyInstance, organizationName: string): Promise<void> {
  app.addHook('onRoute', documentRoute)
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Ticket Reclami – Comunicazioni',
        version: '0.1.0',
        description:
          `Conversations, citizen intake and ARERA TQRIF records of ${organizationName}'s work orders. The host authenticates ` +
          'operators; each operation names the permission it needs in `x-permission`. Errors carry a stable `code`, its `params` and a ' +
          "`message` in the request's language (`?lang=it|en`, then Accept-Language)."
      }
    }
  })
  app.get(
    '/openapi.json',
    {
      config: { permission: 'public' },
      schema: {
        summary: 'This OpenAPI 3.1 document',
        tags: ['meta'],
        response: { 200: { description: 'The OpenAPI document.', type: 'object', additionalProperties: true } }
      }
    },
    async (_request, reply) => reply.header('cache-control', 'no-cache').send(app.swagger())
  )
}
