// Signatures added to replies and forwards: each operator's own (write) and each mailbox's (admin).
import type { FastifyPluginAsync } from 'fastify'
import { operatorOf } from '../auth.js'
import { parseId } from '../http-errors.js'
import type { RouteOptions } from './context.js'
import { errorResponses, idParams, nullableString } from './schema-parts.js'

const signature = {
  type: 'object',
  required: ['html', 'updatedBy', 'updatedAt'],
  properties: { html: { type: 'string' }, updatedBy: nullableString, updatedAt: { type: 'string' } }
} as const
const answer = { type: 'object', required: ['signature'], properties: { signature: { anyOf: [signature, { type: 'null' }] } } } as const
const body = {
  type: 'object',
  required: ['html'],
  additionalProperties: false,
  properties: { html: { type: 'string', minLength: 1, maxLength: 50_000 } }
} as const

const signatureRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  const templates = ctx.service.templates
  const pick = (s: { html: string; updatedBy: string | null; updatedAt: string } | null) => ({
    signature: s && { html: s.html, updatedBy: s.updatedBy, updatedAt: s.updatedAt }
  })

  app.get('/signatures/me', { config: { permission: 'read' }, schema: { response: { 200: answer, ...errorResponses } } }, async (request) =>
    pick(await templates.ownSignature(operatorOf(request)))
  )

  app.put<{ Body: { html: string } }>(
    '/signatures/me',
    { config: { permission: 'write' }, schema: { body, response: { 200: answer, ...errorResponses } } },
    async (request) => {
      const operator = operatorOf(request)
      return pick(await templates.setSignature({ operatorId: operator.id }, request.body.html, operator))
    }
  )

  app.delete('/signatures/me', { config: { permission: 'write' }, schema: { response: { 200: answer, ...errorResponses } } }, async (request) => {
    const operator = operatorOf(request)
    return pick(await templates.setSignature({ operatorId: operator.id }, null, operator))
  })

  app.get<{ Params: { id: string } }>(
    '/mailboxes/:id/signature',
    { config: { permission: 'read' }, schema: { params: idParams, response: { 200: answer, ...errorResponses } } },
    async (request) => pick(await templates.mailboxSignature(parseId(request.params.id)))
  )

  app.put<{ Params: { id: string }; Body: { html: string } }>(
    '/mailboxes/:id/signature',
    { config: { permission: 'admin' }, schema: { params: idParams, body, response: { 200: answer, ...errorResponses } } },
    async (request) => pick(await templates.setSignature({ mailboxId: parseId(request.params.id) }, request.body.html, operatorOf(request)))
  )

  app.delete<{ Params: { id: string } }>(
    '/mailboxes/:id/signature',
    { config: { permission: 'admin' }, schema: { params: idParams, response: { 200: answer, ...errorResponses } } },
    async (request) => pick(await templates.setSignature({ mailboxId: parseId(request.params.id) }, null, operatorOf(request)))
  )
}

export default signatureRoutes
