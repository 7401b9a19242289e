// Who the operator is and what they may do: the UI hides what the API would refuse (compose for viewers).
import type { FastifyPluginAsync } from 'fastify'
import { operatorOf } from '../auth.js'
import type { RouteOptions } from './context.js'
import { nullableStr, object, str, strings } from './schemas.js'

const meRoutes: FastifyPluginAsync<RouteOptions> = async (app) => {
  app.get(
    '/me',
    {
      config: { permission: 'read' },
      schema: {
        summary: 'Who the operator is and what they may do',
        tags: ['meta'],
        response: { 200: object({ id: str, name: str, email: nullableStr, permissions: strings }) }
      }
    },
    async (request, reply) => {
      const operator = operatorOf(request)
      reply.header('cache-control', 'private, no-store')
      return { id: operator.id, name: operator.name, email: operator.email ?? null, permissions: [...operator.permissions] }
    }
  )
}

export default meRoutes
