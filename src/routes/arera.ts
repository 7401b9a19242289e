// ARERA additions of issue 13: the explained suggestion and the second clock of a work order, the territories
// with their standards (switching one off is an audited administrator setting), the written requests left
// without a due date, and the yearly communication (TQRIF art. 58) as JSON and as a one-page PDF to sign.
import type { FastifyPluginAsync } from 'fastify'
import { parseYear } from './arera-params.js'
import { operatorOf } from '../auth.js'
import { parseId } from '../http-errors.js'
import { yearlyPdf } from '../arera/reports/yearly-pdf.js'
import {
  clockFieldsSchema,
  errorSchema,
  idParams,
  responses,
  serviceClockBody,
  standardBody,
  standardChangeSchema,
  standardChangesSchema,
  standardParams,
  suggestionSchema,
  territoriesSchema,
  undatedSchema,
  yearlyQuery,
  yearlySchema
} from './arera-schemas.js'
import type { RouteOptions } from './context.js'
import { attachment } from './register.js'

type YearQuery = { year?: string; territory?: string }

const areraRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  const arera = ctx.service.arera

  app.get<{ Params: { id: string } }>(
    '/work-orders/:id/classification/suggestion',
    { config: { permission: 'read' }, schema: { params: idParams, response: responses(suggestionSchema, 404, 409) } },
    async (request) => arera.suggestion(parseId(request.params.id))
  )

  app.put<{ Params: { id: string }; Body: Record<string, unknown> }>(
    '/work-orders/:id/service-clock',
    { config: { permission: 'write' }, schema: { params: idParams, body: serviceClockBody, response: responses(clockFieldsSchema, 404, 409) } },
    async (request) => arera.setServiceClock(parseId(request.params.id), request.body, operatorOf(request))
  )

  app.get('/arera/territories', { config: { permission: 'read' }, schema: { response: responses(territoriesSchema) } }, async () => ({
    items: await arera.territories()
  }))

  app.put<{ Params: { type: string }; Body: Record<string, unknown> }>(
    '/arera/standards/:type',
    { config: { permission: 'admin' }, schema: { params: standardParams, body: standardBody, response: responses(standardChangeSchema) } },
    async (request) => arera.setStandard(request.params.type, request.body, operatorOf(request))
  )

  app.get('/arera/standards/changes', { config: { permission: 'admin' }, schema: { response: responses(standardChangesSchema) } }, async () => ({
    items: await arera.standardChanges()
  }))

  app.get('/arera/undated', { config: { permission: 'read' }, schema: { response: responses(undatedSchema) } }, async () => ({ items: await arera.undated() }))

  app.get<{ Querystring: YearQuery }>(
    '/arera/yearly-communication',
    { config: { permission: 'read' }, schema: { querystring: yearlyQuery, response: responses(yearlySchema) } },
    async (request) => arera.yearlyCommunication(parseYear(request.query.year), request.query.territory || null)
  )

  app.get<{ Querystring: YearQuery }>(
    '/arera/yearly-communication.pdf',
    {
      config: { permission: 'read' },
      schema: {
        querystring: yearlyQuery,
        response: {
          200: { type: 'string', format: 'binary', description: 'application/pdf, one A4 page' },
          400: errorSchema,
          401: errorSchema,
          403: errorSchema
        }
      }
    },
    async (request, reply) => {
      const report = await arera.yearlyCommunication(parseYear(request.query.year), request.query.territory || null)
      const name = `comunicazione-annuale-arera_${report.year}${report.territory.code ? `_${report.territory.code}` : ''}.pdf`
      return attachment(reply, name, 'application/pdf').send(await yearlyPdf(report))
    }
  )
}

export default areraRoutes
