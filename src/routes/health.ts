// Health: a public liveness probe, and per-mailbox watcher state for operators.
import type { FastifyPluginAsync } from 'fastify'
import type { RouteOptions } from './context.js'

const healthRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get('/health/live', { config: { permission: 'public' } }, async () => ({ status: 'ok' }))

  app.get('/health', { config: { permission: 'read' } }, async () => ctx.service.health.status())
}

export default healthRoutes
