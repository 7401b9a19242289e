// Merge, undo and links between work orders, and what the work order view shows of them.
import type { FastifyPluginAsync } from 'fastify'
import { operatorOf } from '../auth.js'
import { parseId } from '../http-errors.js'
import type { RouteContext, RouteOptions } from './context.js'
import { errorResponses, idParams, nullableString } from './schema-parts.js'

const related = {
  type: 'object',
  required: ['workOrderId', 'reference', 'subject', 'status'],
  properties: { workOrderId: { type: 'integer' }, reference: nullableString, subject: nullableString, status: nullableString }
} as const
const relations = {
  type: 'object',
  required: ['workOrderId', 'mergedInto', 'mergedFrom', 'links', 'possiblyRelated', 'duplicateCandidates'],
  properties: {
    workOrderId: { type: 'integer' },
    mergedInto: { anyOf: [related, { type: 'null' }] },
    mergedFrom: { type: 'array', items: related },
    links: { type: 'array', items: related },
    possiblyRelated: { type: 'array', items: related },
    duplicateCandidates: { type: 'array', items: related }
  }
} as const
const ids = { type: 'array', items: { type: 'integer' } } as const
const merged = {
  type: 'object',
  required: ['mergeId', 'sourceWorkOrderId', 'targetWorkOrderId', 'movedMessageIds', 'movedAuditIds', 'receivedAt', 'dueDate'],
  properties: {
    mergeId: { type: 'integer' },
    sourceWorkOrderId: { type: 'integer' },
    targetWorkOrderId: { type: 'integer' },
    movedMessageIds: ids,
    movedAuditIds: ids,
    receivedAt: nullableString,
    dueDate: nullableString
  }
} as const
const split = {
  type: 'object',
  required: ['sourceWorkOrderId', 'workOrderId', 'movedMessageIds', 'receivedAt', 'dueDate'],
  properties: {
    sourceWorkOrderId: { type: 'integer' },
    workOrderId: { type: 'integer' },
    movedMessageIds: ids,
    receivedAt: { type: 'string' },
    dueDate: nullableString
  }
} as const
const unmerged = {
  type: 'object',
  required: ['sourceWorkOrderId', 'targetWorkOrderId', 'restoredMessageIds'],
  properties: { sourceWorkOrderId: { type: 'integer' }, targetWorkOrderId: { type: 'integer' }, restoredMessageIds: ids }
} as const
const linkParams = {
  type: 'object',
  required: ['id', 'other'],
  properties: { id: { type: 'string', maxLength: 20 }, other: { type: 'string', maxLength: 20 } }
} as const

const relationRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }: { ctx: RouteContext }) => {
  const service = ctx.service.relations

  app.get<{ Params: { id: string } }>(
    '/work-orders/:id/relations',
    {
      config: { permission: 'read' },
      schema: { params: idParams, response: { 200: relations, ...errorResponses } }
    },
    async (request) => service.relations(parseId(request.params.id))
  )

  app.post<{ Params: { id: string }; Body: { into: number } }>(
    '/work-orders/:id/merge',
    {
      config: { permission: 'write' },
      schema: {
        params: idParams,
        body: { type: 'object', required: ['into'], additionalProperties: false, properties: { into: { type: 'integer', minimum: 1 } } },
        response: { 200: merged, ...errorResponses }
      }
    },
    async (request) => service.merge(parseId(request.params.id), request.body.into, operatorOf(request))
  )

  app.post<{ Params: { id: string } }>(
    '/work-orders/:id/unmerge',
    {
      config: { permission: 'write' },
      schema: { params: idParams, response: { 200: unmerged, ...errorResponses } }
    },
    async (request) => service.unmerge(parseId(request.params.id), operatorOf(request))
  )

  app.post<{ Params: { id: string }; Body: { messageIds: number[] } }>(
    '/work-orders/:id/split',
    {
      config: { permission: 'write' },
      schema: {
        description: 'Moves messages (with their attachments) into a new work order of the same contributor, linked to this one.',
        params: idParams,
        body: {
          type: 'object',
          required: ['messageIds'],
          additionalProperties: false,
          properties: { messageIds: { type: 'array', minItems: 1, maxItems: 500, items: { type: 'integer', minimum: 1 } } }
        },
        response: { 201: split, ...errorResponses }
      }
    },
    async (request, reply) => reply.code(201).send(await service.split(parseId(request.params.id), request.body.messageIds, operatorOf(request)))
  )

  app.post<{ Params: { id: string }; Body: { workOrderId: number } }>(
    '/work-orders/:id/links',
    {
      config: { permission: 'write' },
      schema: {
        params: idParams,
        body: { type: 'object', required: ['workOrderId'], additionalProperties: false, properties: { workOrderId: { type: 'integer', minimum: 1 } } },
        response: { 200: relations, ...errorResponses }
      }
    },
    async (request) => service.link(parseId(request.params.id), request.body.workOrderId, operatorOf(request))
  )

  app.delete<{ Params: { id: string; other: string } }>(
    '/work-orders/:id/links/:other',
    {
      config: { permission: 'write' },
      schema: { params: linkParams, response: { 200: relations, ...errorResponses } }
    },
    async (request) => service.unlink(parseId(request.params.id), parseId(request.params.other), operatorOf(request))
  )
}

export default relationRoutes
