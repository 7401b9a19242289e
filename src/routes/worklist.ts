// The operators' worklist: GET /worklist?queue=… (one keyset page and the queue's total) and GET /worklist/counts
// (every queue's count in one call, for the tabs). Spam and quarantine are for administrators only.
import type { FastifyPluginAsync } from 'fastify'
import { operatorOf } from '../auth.js'
import { WORKLIST_QUEUES } from '../domain/worklist.js'
import { WORK_ORDER_STATES } from '../types.js'
import type { WorklistRequest } from '../worklist/service.js'
import type { RouteOptions } from './context.js'
import { errorResponses } from './schema-parts.js'
import { int, nullableInt, nullableStr, object, query, str } from './schemas.js'

const filters = {
  mailboxId: { ...int, minimum: 1, description: 'Only conversations that mail to this mailbox opened or joined.' },
  channel: { type: 'string', enum: ['email', 'web', 'app'], description: 'The channel the request came in by.' },
  type: { ...str, maxLength: 48, description: 'An ARERA request type code.' },
  status: { type: 'string', enum: [...WORK_ORDER_STATES], description: 'The work order state.' },
  text: { ...str, maxLength: 200, description: 'Subject or sender contains this (case-insensitive).' },
  dueWithinDays: { ...int, minimum: 0, maximum: 60, default: 2, description: '"Due soon" means due within this many working days.' }
}

const item = object({
  kind: { type: 'string', enum: ['work_order', 'spam', 'quarantine'] },
  workOrderId: nullableInt,
  entryId: nullableInt,
  reference: nullableStr,
  subject: nullableStr,
  contributorId: nullableInt,
  contributorName: nullableStr,
  sender: nullableStr,
  channel: nullableStr,
  type: nullableStr,
  mailboxId: nullableInt,
  lastActivityAt: str,
  lastMessageAt: str,
  receivedAt: str,
  dueDate: nullableStr,
  workingDaysLeft: nullableInt,
  status: nullableStr,
  hostStatus: nullableStr,
  reason: nullableStr
})

const page = object({ items: { type: 'array', items: item }, total: int, nextCursor: nullableStr })
const counts = object(Object.fromEntries(WORKLIST_QUEUES.map((q) => [q, int])), ['spam', 'quarantine'])

const worklistRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  const worklist = ctx.service.worklist

  app.get<{ Querystring: WorklistRequest }>(
    '/worklist',
    {
      config: { permission: 'read' },
      schema: {
        summary: "One page of an operators' queue",
        tags: ['Worklist'],
        querystring: query(
          {
            queue: { type: 'string', enum: [...WORKLIST_QUEUES], description: 'spam and quarantine: administrators only.' },
            ...filters,
            sort: { type: 'string', enum: ['due_date', 'last_activity'], default: 'due_date', description: 'Due date first, or latest activity first.' },
            limit: { ...int, minimum: 1, maximum: 200, default: 50 },
            cursor: { ...str, maxLength: 300, description: 'The nextCursor of the previous page.' }
          },
          ['queue']
        ),
        response: { 200: page, ...errorResponses }
      }
    },
    async (request) => worklist.list(request.query, operatorOf(request))
  )

  app.get<{ Querystring: Omit<WorklistRequest, 'queue'> }>(
    '/worklist/counts',
    {
      config: { permission: 'read' },
      schema: {
        summary: 'How many items each queue holds (spam and quarantine for administrators only)',
        tags: ['Worklist'],
        querystring: query(filters),
        response: { 200: counts, ...errorResponses }
      }
    },
    async (request) => worklist.counts(request.query, operatorOf(request))
  )

  app.get(
    '/worklist/mailboxes',
    {
      config: { permission: 'read' },
      schema: {
        summary: 'The mailboxes the worklist can be filtered by (id and name)',
        tags: ['Worklist'],
        querystring: query({}),
        response: { 200: object({ items: { type: 'array', items: object({ id: int, name: str }) } }), ...errorResponses }
      }
    },
    async () => ({ items: await worklist.mailboxes() })
  )
}

export default worklistRoutes
