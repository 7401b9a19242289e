// Onboarding a mailbox's history: administrators start an archive import and follow its progress.
import type { FastifyPluginAsync } from 'fastify'
import { operatorOf } from '../auth.js'
import { parseId } from '../http-errors.js'
import { parseDay } from './params.js'
import type { ArchiveImportRequest } from '../mail/archive-import.js'
import type { RouteOptions } from './context.js'
import { errorResponses, idParams, nullableString } from './schema-parts.js'

export const archiveImportJob = {
  type: 'object',
  required: [
    'id',
    'mailboxId',
    'since',
    'includeInRegister',
    'status',
    'total',
    'done',
    'stored',
    'duplicates',
    'errors',
    'lastUid',
    'lastError',
    'createdAt',
    'startedAt',
    'finishedAt'
  ],
  properties: {
    id: { type: 'integer' },
    mailboxId: { type: 'integer' },
    since: { type: 'string' },
    includeInRegister: { type: 'boolean' },
    status: { type: 'string', enum: ['running', 'done', 'failed'] },
    total: { type: 'integer' },
    done: { type: 'integer' },
    stored: { type: 'integer' },
    duplicates: { type: 'integer' },
    errors: { type: 'integer' },
    lastUid: { type: 'integer' },
    lastError: nullableString,
    requestedBy: nullableString,
    createdAt: { type: 'string' },
    startedAt: nullableString,
    finishedAt: nullableString,
    updatedAt: { type: 'string' },
    messagesPerSecond: { type: ['number', 'null'] }
  }
} as const

const archiveImportRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  const archive = ctx.service.mailboxes.archive

  app.post<{ Params: { id: string }; Body: ArchiveImportRequest }>(
    '/mailboxes/:id/archive-import',
    {
      config: { permission: 'admin' },
      schema: {
        params: idParams,
        body: {
          type: 'object',
          required: ['since'],
          additionalProperties: false,
          properties: { since: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' }, includeInRegister: { type: 'boolean' } }
        },
        response: { 202: archiveImportJob, ...errorResponses }
      }
    },
    async (request, reply) => {
      parseDay(request.body.since, 'since')
      return reply.status(202).send(await archive.start(parseId(request.params.id), request.body, operatorOf(request).id))
    }
  )

  app.get<{ Params: { id: string } }>(
    '/mailboxes/:id/archive-import',
    {
      config: { permission: 'admin' },
      schema: {
        params: idParams,
        response: { 200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: archiveImportJob } } }, ...errorResponses }
      }
    },
    async (request) => ({ items: await archive.list(parseId(request.params.id)) })
  )
}

export default archiveImportRoutes
