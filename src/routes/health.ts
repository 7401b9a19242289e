// Health: a public liveness probe, and per-mailbox watcher state for operators.
import type { FastifyPluginAsync } from 'fastify'
import { requestLocale } from '../i18n.js'
import { archiveImportJob } from './archive-import.js'
import type { RouteOptions } from './context.js'
import { bool, int, nullableInt, nullableStr, object, str } from './schemas.js'

const mailboxHealth = object({
  id: int,
  name: str,
  enabled: bool,
  state: str,
  uidValidity: nullableStr,
  lastUid: int,
  lastError: nullableStr,
  lastErrorAt: nullableStr,
  failingSince: nullableStr,
  alertSentAt: nullableStr,
  lastMessageAt: nullableStr,
  lagSeconds: nullableInt,
  leaseOwner: nullableStr,
  authMethod: { type: 'string', enum: ['password', 'oauth2'] },
  action: {
    anyOf: [
      object({ kind: { type: 'string', enum: ['reconnect'] }, method: { type: 'string', enum: ['POST'] }, path: str }, [], {
        description: 'reconnect: start a new OAuth2 consent (the grant was revoked or expired).'
      }),
      { type: 'null' }
    ]
  }
})

const healthRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/health/live',
    {
      config: { permission: 'public' },
      schema: { summary: 'Liveness probe', tags: ['meta'], response: { 200: object({ status: { type: 'string', enum: ['ok'] } }) } }
    },
    async () => ({ status: 'ok' })
  )

  app.get(
    '/health',
    {
      config: { permission: 'read' },
      schema: {
        summary: 'Per-mailbox watcher state and the outbox by delivery status',
        tags: ['meta'],
        response: {
          200: object({
            status: { type: 'string', enum: ['ok', 'degraded'] },
            mailboxes: { type: 'array', items: mailboxHealth },
            outbox: { type: 'object', additionalProperties: { type: 'integer' }, description: 'Rows per status: queued, sending, sent, retrying, failed.' },
            archiveImports: {
              type: 'array',
              items: archiveImportJob,
              description: 'Archive imports of mailbox history still running, with their progress and rate.'
            }
          })
        }
      }
    },
    async (request) => ctx.service.health.status(requestLocale(request, ctx.options.locale))
  )
}

export default healthRoutes
