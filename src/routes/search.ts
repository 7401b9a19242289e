// Full-text search across every conversation: subject, body, sender, attachment names; paged, filtered.
import type { FastifyPluginAsync } from 'fastify'
import { WORK_ORDER_STATES, type Channel, type WorkOrderState } from '../types.js'
import type { RouteOptions } from './context.js'
import { int, nullableInt, nullableStr, object, query, str } from './schemas.js'

interface SearchQuery {
  q: string
  mailboxId?: string
  channel?: Channel
  type?: string
  status?: WorkOrderState
  from?: string
  to?: string
  limit?: string
  offset?: string
}

const day = { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' }

const hitSchema = object({
  id: int,
  workOrderId: nullableInt,
  subject: nullableStr,
  snippet: { type: 'string', description: 'HTML: matched words in <mark>, everything else escaped.' },
  from: nullableStr,
  direction: { type: 'string', enum: ['inbound', 'outbound'] },
  channel: { type: 'string', enum: ['email', 'web', 'app', 'note'] },
  createdAt: nullableStr
})

const searchRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get<{ Querystring: SearchQuery }>(
    '/search',
    {
      config: { permission: 'read' },
      schema: {
        summary: 'Search every conversation (subject, body, sender, attachment names), newest first',
        description:
          'Every word must match (accents and case ignored; `word*` matches a prefix). PostgreSQL and SQL Server also match Italian ' +
          'inflections (reclami finds reclamo); SQLite matches whole words. Filters narrow by mailbox, channel, ARERA request type, ' +
          'work-order state and the day range (Europe/Rome) the message was stored on.',
        tags: ['search'],
        querystring: query(
          {
            q: { type: 'string', maxLength: 200, description: 'At least 2 characters.' },
            mailboxId: { type: 'string', pattern: '^[0-9]{1,15}$' },
            channel: { type: 'string', enum: ['email', 'web', 'app', 'note'] },
            type: { type: 'string', maxLength: 48, description: 'ARERA request type, e.g. reclamo_scritto.' },
            status: { type: 'string', enum: [...WORK_ORDER_STATES] },
            from: { ...day, description: 'First day, YYYY-MM-DD.' },
            to: { ...day, description: 'Last day, YYYY-MM-DD.' },
            limit: { type: 'string', pattern: '^(100|[1-9][0-9]?)$', description: '1–100, default 20.' },
            offset: { type: 'string', pattern: '^[0-9]{1,5}$', description: 'Hits to skip, default 0.' }
          },
          ['q']
        ),
        response: { 200: object({ items: { type: 'array', items: hitSchema }, total: int, limit: int, offset: int, engine: str }) }
      }
    },
    async (request) => {
      const { q, mailboxId, channel, type, status, from, to, limit, offset } = request.query
      return ctx.service.search.search({
        q,
        mailboxId: mailboxId ? Number(mailboxId) : undefined,
        channel,
        type,
        status,
        from,
        to,
        limit: limit ? Number(limit) : undefined,
        offset: offset ? Number(offset) : undefined
      })
    }
  )
}

export default searchRoutes
