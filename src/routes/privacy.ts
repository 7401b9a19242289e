// Citizens' data, for administrators: export everything held about a contributor or an address (a zip), erase it
// (refused with the reason when the law requires keeping it), and the retention job with its dry run.
import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { operatorOf } from '../auth.js'
import { parseId } from '../http-errors.js'
import type { ExportFile } from '../privacy/citizen.js'
import { contentDisposition } from './attachments.js'
import type { RouteOptions } from './context.js'

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9]{1,15}$' } }, additionalProperties: false } as const
const langQuery = { lang: { type: 'string', enum: ['it', 'en'] } } as const
const zipResponse = {
  200: { description: 'A zip: manifest.json, work-orders/<id>/{work-order,messages,intake,audit}.json and attachments/', type: 'string', format: 'binary' }
} as const
const counts = {
  type: 'object',
  required: ['workOrders', 'messages', 'attachments'],
  additionalProperties: false,
  properties: { workOrders: { type: 'integer' }, messages: { type: 'integer' }, attachments: { type: 'integer' } }
} as const
const retentionReport = {
  type: 'object',
  additionalProperties: false,
  required: ['dryRun', 'at', 'cutoffs', 'workOrderIds', 'messages', 'attachments', 'quarantine', 'spam', 'infected', 'audit'],
  properties: {
    dryRun: { type: 'boolean' },
    at: { type: 'string', format: 'date-time' },
    cutoffs: {
      type: 'object',
      additionalProperties: false,
      required: ['registeredBefore', 'quietSince', 'quarantineBefore', 'auditBefore'],
      properties: {
        registeredBefore: { type: 'string' },
        quietSince: { type: 'string' },
        quarantineBefore: { type: 'string' },
        auditBefore: { type: 'string' }
      }
    },
    workOrderIds: { type: 'array', items: { type: 'integer' } },
    messages: { type: 'integer' },
    attachments: { type: 'integer' },
    quarantine: { type: 'integer' },
    spam: { type: 'integer' },
    infected: { type: 'integer' },
    audit: { type: 'integer' }
  }
} as const

const sendZip = (reply: FastifyReply, file: ExportFile) =>
  reply
    .header('content-type', 'application/zip')
    .header('content-disposition', contentDisposition(file.filename))
    .header('cache-control', 'no-store')
    .send(file.content)

const privacyRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  const privacy = ctx.service.privacy

  app.get<{ Params: { id: string } }>(
    '/contributors/:id/export',
    {
      config: { permission: 'admin' },
      schema: { params: idParams, querystring: { type: 'object', properties: langQuery }, response: zipResponse }
    },
    async (request, reply) => sendZip(reply, await privacy.exportContributor(parseId(request.params.id), operatorOf(request)))
  )

  app.get<{ Querystring: { email: string } }>(
    '/privacy/export',
    {
      config: { permission: 'admin' },
      schema: {
        querystring: { type: 'object', required: ['email'], properties: { email: { type: 'string', minLength: 3, maxLength: 320 }, ...langQuery } },
        response: zipResponse
      }
    },
    async (request, reply) => sendZip(reply, await privacy.exportEmail(request.query.email, operatorOf(request)))
  )

  app.post<{ Params: { id: string } }>(
    '/contributors/:id/erase',
    {
      config: { permission: 'admin' },
      schema: { params: idParams, querystring: { type: 'object', properties: langQuery }, response: { 200: counts } }
    },
    async (request) => privacy.eraseContributor(parseId(request.params.id), operatorOf(request))
  )

  app.post<{ Body: { email: string } }>(
    '/privacy/erase',
    {
      config: { permission: 'admin' },
      schema: {
        querystring: { type: 'object', properties: langQuery },
        body: { type: 'object', required: ['email'], additionalProperties: false, properties: { email: { type: 'string', minLength: 3, maxLength: 320 } } },
        response: { 200: counts }
      }
    },
    async (request) => privacy.eraseEmail(request.body.email, operatorOf(request))
  )

  app.get(
    '/retention/plan',
    {
      config: { permission: 'admin' },
      schema: { querystring: { type: 'object', properties: langQuery }, response: { 200: retentionReport } }
    },
    async () => privacy.retention.plan()
  )

  app.post(
    '/retention/run',
    {
      config: { permission: 'admin' },
      schema: { querystring: { type: 'object', properties: langQuery }, response: { 200: retentionReport } }
    },
    async (request) => {
      const report = await privacy.retention.run()
      request.log.info({ workOrders: report.workOrderIds.length }, 'retention run by an administrator')
      return report
    }
  )
}

export default privacyRoutes
