// The yearly ARERA indicators (TQRIF art. 58.3) as JSON, CSV, XLSX and a readable page, and the public
// "Carta della qualità" with the configured standards and, once a year has data, the actual results.
import type { FastifyPluginAsync } from 'fastify'
import { parseYear } from './arera-params.js'
import { romeDate } from '../domain/working-days.js'
import { toCsv } from '../arera/reports/format.js'
import { cartaPage, indicatorsPage } from '../arera/reports/html.js'
import { indicatorsTable } from '../arera/reports/tables.js'
import { XLSX_CONTENT_TYPE, toXlsx } from '../arera/reports/xlsx.js'
import type { RouteOptions } from './context.js'
import { attachment } from './register.js'
import { download, indicatorsSchema, query, str } from './schemas.js'

const year = query({ year: { ...str, description: 'Four-digit year, e.g. 2026.' } })
const schema = (summary: string, response: Record<string, unknown>) => ({ summary, tags: ['ARERA'], querystring: year, response: { 200: response } })

const WEEKDAYS = ['', 'lunedì', 'martedì', 'mercoledì', 'giovedì', 'venerdì', 'sabato', 'domenica']

function workingWeekLabel(days: readonly number[]): string {
  const consecutive = days.every((d, i) => i === 0 || d === (days[i - 1] ?? 0) + 1)
  if (consecutive && days.length > 1) return `dal ${WEEKDAYS[days[0] ?? 1]} al ${WEEKDAYS[days[days.length - 1] ?? 5]}`
  return days.map((d) => WEEKDAYS[d]).join(', ')
}

const indicatorRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  const arera = ctx.service.arera
  const yearOf = (query: unknown) => parseYear((query as Record<string, unknown> | undefined)?.year)

  app.get(
    '/indicators',
    { config: { permission: 'read' }, schema: schema('The yearly ARERA indicators (TQRIF art. 58.3)', indicatorsSchema) },
    async (request) => arera.indicators(yearOf(request.query))
  )

  app.get(
    '/indicators.csv',
    { config: { permission: 'read' }, schema: schema('The indicators as CSV', download('CSV, UTF-8.', 'text/csv')) },
    async (request, reply) => {
      const report = await arera.indicators(yearOf(request.query))
      return attachment(reply, `indicatori-arera_${report.year}.csv`, 'text/csv; charset=utf-8').send(toCsv(indicatorsTable(report)))
    }
  )

  app.get(
    '/indicators.xlsx',
    { config: { permission: 'read' }, schema: schema('The indicators as XLSX', download('Excel workbook.', XLSX_CONTENT_TYPE)) },
    async (request, reply) => {
      const report = await arera.indicators(yearOf(request.query))
      return attachment(reply, `indicatori-arera_${report.year}.xlsx`, XLSX_CONTENT_TYPE).send(await toXlsx(indicatorsTable(report)))
    }
  )

  app.get(
    '/indicators.html',
    { config: { permission: 'read' }, schema: schema('The indicators as a readable page', download('HTML page.', 'text/html')) },
    async (request, reply) => {
      const report = await arera.indicators(yearOf(request.query))
      // relative links keep the page working under any prefix
      const html = indicatorsPage(report, ctx.options.organizationName, {
        csv: `indicators.csv?year=${report.year}`,
        xlsx: `indicators.xlsx?year=${report.year}`
      })
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html)
    }
  )

  // Public: citizens read the standards; only aggregate figures, never a request or a name. The page is
  // rebuilt at most every ten minutes, so an anonymous visitor cannot make the server recount a year at will.
  let cached: { html: string; until: number } | null = null
  app.get(
    '/carta-della-qualita',
    {
      config: { permission: 'public' },
      schema: { summary: 'The public Carta della qualità: standards and results', tags: ['ARERA'], response: { 200: download('HTML page.', 'text/html') } }
    },
    async (_request, reply) => {
      if (!cached || cached.until < Date.now()) cached = { html: await buildCarta(), until: Date.now() + 600_000 }
      return reply.type('text/html; charset=utf-8').header('cache-control', 'public, max-age=600').send(cached.html)
    }
  )

  async function buildCarta(): Promise<string> {
    const thisYear = Number(romeDate(new Date()).slice(0, 4))
    // The last complete year with data; before there is one, the year in progress (marked as such).
    let results: { year: number; partial: boolean; standards: Awaited<ReturnType<typeof arera.indicators>>['standards'] } | null = null
    for (const [year, partial] of [
      [thisYear - 1, false],
      [thisYear, true]
    ] as const) {
      const report = await arera.indicators(year)
      if (report.totals.met + report.totals.missed > 0) {
        results = { year, partial, standards: report.standards }
        break
      }
    }
    const standards = Object.values((await arera.currentTerritories()).default.standards)
      .filter((s) => s.workingDays !== null)
      .map((s) => ({ label: s.label.it, article: s.article, workingDays: s.workingDays as number, minimumPercent: arera.minimumPercent(s.type) }))
    return cartaPage({
      organizationName: ctx.options.organizationName,
      workingWeek: workingWeekLabel(arera.calendar.workingWeekdays),
      scheme: arera.scheme ? { label: arera.scheme.label.it, minimumCompliancePercent: arera.scheme.minimumCompliancePercent } : null,
      standards,
      results
    })
  }
}

export default indicatorRoutes
