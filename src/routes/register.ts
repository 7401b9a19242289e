// The ARERA register (TQRIF art. 56): one row per request received in a period, as JSON, CSV or XLSX.
import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { parseDateRange } from '../arera/params.js'
import { toCsv } from '../reports/format.js'
import { registerTable } from '../reports/tables.js'
import { XLSX_CONTENT_TYPE, toXlsx } from '../reports/xlsx.js'
import type { RouteOptions } from './context.js'

export function attachment(reply: FastifyReply, filename: string, contentType: string): FastifyReply {
  return reply.header('content-type', contentType).header('content-disposition', `attachment; filename="${filename}"`).header('cache-control', 'no-store')
}

const registerRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  const arera = ctx.service.arera

  app.get('/register', { config: { permission: 'read' } }, async (request) => {
    const { from, to } = parseDateRange(request.query)
    return { from, to, items: await arera.register(from, to) }
  })

  app.get('/register.csv', { config: { permission: 'read' } }, async (request, reply) => {
    const { from, to } = parseDateRange(request.query)
    const csv = toCsv(registerTable(await arera.register(from, to)))
    return attachment(reply, `registro-richieste_${from}_${to}.csv`, 'text/csv; charset=utf-8').send(csv)
  })

  app.get('/register.xlsx', { config: { permission: 'read' } }, async (request, reply) => {
    const { from, to } = parseDateRange(request.query)
    const xlsx = await toXlsx(registerTable(await arera.register(from, to)))
    return attachment(reply, `registro-richieste_${from}_${to}.xlsx`, XLSX_CONTENT_TYPE).send(xlsx)
  })
}

export default registerRoutes
