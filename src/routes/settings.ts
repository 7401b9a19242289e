// Module settings for administrators: today the generic contributor for unknown senders.
import type { FastifyPluginAsync } from 'fastify'
import { operatorOf } from '../auth.js'
import { notFound, parseId } from '../http-errors.js'
import type { RouteOptions } from './context.js'

const settingsRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get('/settings', { config: { permission: 'admin' } }, async () => ({
    genericContributorId: await ctx.service.getGenericContributorId(),
    organizationName: ctx.options.organizationName,
    locale: ctx.options.locale
  }))

  app.put<{ Body: { genericContributorId?: unknown } }>(
    '/settings',
    {
      config: { permission: 'admin' },
      schema: {
        body: {
          type: 'object',
          required: ['genericContributorId'],
          properties: { genericContributorId: { type: 'integer', minimum: 1 } },
          additionalProperties: false
        }
      }
    },
    async (request) => {
      const id = parseId(request.body.genericContributorId)
      if (!(await ctx.service.setGenericContributorId(id))) throw notFound('contributorNotFound', { id })
      const operator = operatorOf(request)
      await ctx.service.repositories.audit.record({
        actorType: 'operator', actorId: operator.id, actorName: operator.name,
        action: 'settings.genericContributor', details: { genericContributorId: id }
      })
      return { genericContributorId: id }
    }
  )
}

export default settingsRoutes
