// Contributors by id, for the tab's sender banner: an ambiguous sender's candidates shown by name, not by number.
import type { FastifyPluginAsync } from 'fastify'
import { invalidField } from '../http-errors.js'
import type { RouteOptions } from './context.js'
import { contributorSchema, itemsOf, query, str } from './schemas.js'

const MAX_IDS = 50

const contributorRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get<{ Querystring: { ids: string } }>(
    '/contributors',
    {
      config: { permission: 'read' },
      schema: {
        summary: 'Contributors by id',
        tags: ['contributors'],
        querystring: query({ ids: { ...str, description: `1 to ${MAX_IDS} ids separated by commas, e.g. 3,4` } }, ['ids']),
        response: { 200: itemsOf(contributorSchema) }
      }
    },
    async (request) => {
      const raw = request.query.ids
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
      if (raw.length === 0 || raw.length > MAX_IDS || raw.some((v) => !/^\d{1,15}$/.test(v) || Number(v) < 1))
        throw invalidField('ids', 'idList', { max: MAX_IDS })
      return { items: await ctx.service.contributors.findByIds([...new Set(raw.map(Number))]) }
    }
  )
}

export default contributorRoutes
