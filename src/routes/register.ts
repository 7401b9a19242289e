// The ARERA register (TQRIF art. 56): one row per request received in a period, as JSON, CSV or XLSX.
import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { parseDateRange } from './arera-params.js'
import { toCsv } from '../arera/reports/format.js'
import { registerTable } from '../arera/reports/tables.js'
import { XLSX_CONTENT_TYPE, toXlsx } from '../arera/reports/xlsx.js'
import type { RouteOptions } from './context.js'
import { download, itemsOf, query, registerEntrySchema, str } from './schemas.js'

const range = query({ from: { ...str, description: 'First day, YYYY-MM-DD.' }, to: { ...str, description: 'Last day, YYYY-MM-DD.' } })
const schema = (summary: string, response: Record<string, unknown>) => ({ summary, tags: ['ARERA'], querystring: range, response: { 200: response } })

export function attachment(reply: FastifyReply, filename: string, contentType: string): FastifyReply {
  return reply.header('content-type', contentType).header('content-disposition', `attachment; filename="${filename}"`).header('cache-control', 'no-store')
}

const registerRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  const arera = ctx.service.arera

  app.get(
    '/register',
    {
      config: { permission: 'read' },
      schema: schema('The ARERA register of requests received from..to', itemsOf(registerEntrySchema, { from: str, to: str }))
    },
    async (request) => {
      const { from, to } = parseDateRange(request.query)
      return { from, to, items: await arera.register(from, to) }
    }
  )

  app.get(
    '/register.csv',
    { config: { permission: 'read' }, schema: schema('The register as CSV', download('CSV, UTF-8.', 'text/csv')) },
    async (request, reply) => {
      const { from, to } = parseDateRange(request.query)
      const csv = toCsv(registerTable(await arera.register(from, to)))
      return attachment(reply, `registro-richieste_${from}_${to}.csv`, 'text/csv; charset=utf-8').send(csv)
    }
  )

  app.get(
    '/register.xlsx',
    { config: { permission: 'read' }, schema: schema('The register as XLSX', download('Excel workbook.', XLSX_CONTENT_TYPE)) },
    async (request, reply) => {
      const { from, to } = parseDateRange(request.query)
      const xlsx = await toXlsx(registerTable(await arera.register(from, to)))
      return attachment(reply, `registro-richieste_${from}_${to}.xlsx`, XLSX_CONTENT_TYPE).send(xlsx)
    }
  )
}

export default registerRoutes
