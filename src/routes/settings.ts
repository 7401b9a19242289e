// Module settings for administrators: today the generic contributor for unknown senders.
import type { FastifyPluginAsync } from 'fastify'
import { operatorOf } from '../auth.js'
import { parseId } from '../http-errors.js'
import type { RouteOptions } from './context.js'
import { int, object, str } from './schemas.js'

const generic = object({ genericContributorId: int })

const settingsRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/settings',
    {
      config: { permission: 'admin' },
      schema: {
        summary: 'Module settings',
        tags: ['settings'],
        response: { 200: object({ genericContributorId: int, organizationName: str, locale: { type: 'string', enum: ['it', 'en'] } }) }
      }
    },
    async () => ctx.service.settings.get()
  )

  app.put<{ Body: { genericContributorId?: unknown } }>(
    '/settings',
    {
      config: { permission: 'admin' },
      schema: {
        summary: 'Change the generic contributor (unknown senders); audited',
        tags: ['settings'],
        response: { 200: generic },
        body: {
          type: 'object',
          required: ['genericContributorId'],
          properties: { genericContributorId: { type: 'integer', minimum: 1 } },
          additionalProperties: false
        }
      }
    },
    async (request) => {
      return ctx.service.settings.setGenericContributor(parseId(request.body.genericContributorId), operatorOf(request))
    }
  )
}

export default settingsRoutes
