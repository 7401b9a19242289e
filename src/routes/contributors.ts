// Contributors by id, for the tab's sender banner: an ambiguous sender's candidates shown by name, not by number.
import type { FastifyPluginAsync } from 'fastify'
import { badRequest } from '../http-errors.js'
import type { RouteOptions } from './context.js'

const MAX_IDS = 50

const contributorRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get<{ Querystring: { ids?: string } }>('/contributors', { config: { permission: 'read' } }, async (request) => {
    const raw = String(request.query.ids ?? '').split(',').map((s) => s.trim()).filter(Boolean)
    if (raw.length === 0) throw badRequest('indica gli identificativi dei contribuenti in "ids" (es. ids=3,4)', { ids: 'obbligatorio' })
    if (raw.length > MAX_IDS || raw.some((v) => !/^\d{1,15}$/.test(v) || Number(v) < 1)) {
      throw badRequest(`"ids" deve contenere da 1 a ${MAX_IDS} numeri interi positivi separati da virgola`, { ids: 'non valido' })
    }
    const ids = [...new Set(raw.map(Number))]
    return { items: await ctx.service.contributors.findByIds(ids) }
  })
}

export default contributorRoutes
