// The example "Garbage" host: its own pages and tables, with the Ticket Reclami module mounted into it.
import cookie from '@fastify/cookie'
import formbody from '@fastify/formbody'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify'
import type { Knex } from 'knex'
import communications, { open311ClientErrorHandler, uiScriptUrl, type CommunicationsOptions, type HostMapping } from '../src/plugin.js'
import type { ModuleHooks } from '../src/module.js'
import { DEMO_OPERATORS, SESSION_COOKIE, operatorFromRequest } from './auth.js'
import { mailboxesPage } from './mailboxes-page.js'
import { loginPage, workOrderDetailPage, workOrderListPage, worklistPage } from './pages.js'

/** How the module reaches this host's tables. */
export const HOST_MAPPING: HostMapping = {
  contributors: {
    table: 'contribuenti',
    id: 'id_contribuente',
    displayName: 'nominativo',
    fiscalCode: 'codice_fiscale',
    emails: ['email', 'email_secondaria', 'pec'],
    // the supply's municipality picks the ARERA territory (calendar and standards) when territories are configured
    municipality: 'comune'
  },
  workOrders: {
    table: 'ordini_lavoro',
    id: 'id_odl',
    contributorId: 'id_contribuente',
    status: 'stato',
    subject: 'oggetto',
    description: 'descrizione',
    type: 'tipo_odl',
    createdAt: 'data_apertura',
    statuses: { open: 'APERTO', in_progress: 'IN_LAVORAZIONE', waiting: 'SOSPESO', closed: 'CHIUSO' },
    typeValues: {
      reclamo_scritto: 'RECLAMO',
      richiesta_informazioni: 'INFORMAZIONI',
      rettifica_importi: 'RETTIFICA',
      segnalazione_disservizio: 'DISSERVIZIO',
      ritiro_su_chiamata: 'RITIRO',
      riparazione_attrezzature: 'RIPARAZIONE',
      attivazione_variazione_cessazione: 'ATTIVAZIONE',
      altro: 'ALTRO'
    },
    insertDefaults: { origine: 'COMUNICAZIONI' }
  }
}

/** The largest request head (request line and headers) the example host accepts. */
const HOST_MAX_HEADER_BYTES = 64 * 1024

export interface HostConfig {
  knex: Knex
  /** Options for the module beyond the database, mapping and authorisation this host provides (hooks: the demo seed's clock). */
  module?: Partial<CommunicationsOptions> & { secret: string; hooks?: ModuleHooks }
  /** Skip the module (to show the host runs on its own). */
  withoutModule?: boolean
  logger?: FastifyServerOptions['logger']
}

export interface HostApp {
  app: FastifyInstance
  /** Set when the module failed to register: the host keeps serving its own pages. */
  moduleError(): Error | null
}

export async function findGenericContributorId(knex: Knex): Promise<number> {
  const row = await knex('contribuenti').first('id_contribuente').where('generico', true).orderBy('id_contribuente')
  if (!row) throw new Error('The host has no generic contributor (contribuenti.generico = true)')
  return Number(row.id_contribuente)
}

export async function buildHostApp(config: HostConfig): Promise<HostApp> {
  const { knex } = config
  const prefix = config.module?.prefix ?? '/api/communications'
  const clientErrors = open311ClientErrorHandler({ prefix, locale: config.module?.locale })
  const app = Fastify({
    logger: config.logger ?? false,
    trustProxy: false,
    // Open311 clients ask for many requests at once in the query string (about 15 bytes per id): 64 KB of
    // headers take some 4,000 ids; Node's default (16 KB) about 1,000.
    http: { maxHeaderSize: HOST_MAX_HEADER_BYTES },
    // what Node refuses before Fastify sees it (431) gets an Open311 <errors> body on Open311 paths
    clientErrorHandler: clientErrors
  })
  app.server.on('connection', clientErrors.onConnection)
  await app.register(cookie)
  await app.register(formbody)
  let moduleError: Error | null = null

  if (!config.withoutModule) {
    const options: CommunicationsOptions = {
      knex,
      mapping: HOST_MAPPING,
      genericContributorId: await findGenericContributorId(knex),
      authorize: operatorFromRequest,
      organizationName: 'Garbage Servizi Ambientali S.p.A.',
      ...config.module,
      // the demo SottoControllo app key (contract): hosts configure their own keys
      intake: { apiKeys: [{ key: 'demo-app-key', name: 'App SottoControllo (demo)' }], ...config.module?.intake },
      secret: config.module?.secret ?? ''
    }
    // Registration errors (a bad mapping, say) are logged and the host goes on serving its own routes.
    app.register(communications, options).after((err) => {
      if (err) {
        moduleError = err
        app.log.error({ err }, 'Ticket Reclami module disabled: registration failed')
      }
    })
  }

  // the operators' home page: the module's worklist (the host's plain list stays at /work-orders)
  const home = async (request: FastifyRequest, reply: FastifyReply) => {
    const operator = operatorFromRequest(request)
    if (!operator) return reply.redirect('/login')
    const moduleUi = !config.withoutModule && !moduleError ? { script: uiScriptUrl(prefix), apiBase: prefix } : null
    return reply.type('text/html; charset=utf-8').send(worklistPage(operator, moduleUi))
  }
  app.get('/', home)
  app.get('/worklist', home)

  app.get('/login', async (_request, reply) => reply.type('text/html; charset=utf-8').send(loginPage()))

  app.post<{ Body: { username?: string; password?: string } }>('/login', async (request, reply) => {
    const username = String(request.body?.username ?? '').trim()
    const password = String(request.body?.password ?? '')
    if (!DEMO_OPERATORS[username] || password !== username) {
      return reply.status(401).type('text/html; charset=utf-8').send(loginPage('Utente o password non corretti.'))
    }
    reply.setCookie(SESSION_COOKIE, username, { path: '/', httpOnly: true, sameSite: 'lax' })
    return reply.redirect('/')
  })

  app.get('/logout', async (_request, reply) => {
    reply.clearCookie(SESSION_COOKIE, { path: '/' })
    return reply.redirect('/login')
  })

  app.get<{ Querystring: { page?: string } }>('/work-orders', async (request, reply) => {
    const operator = operatorFromRequest(request)
    if (!operator) return reply.redirect('/login')
    const pageSize = 50
    const total = Number((await knex('ordini_lavoro').count({ n: '*' }).first())?.n ?? 0)
    const pages = Math.max(1, Math.ceil(total / pageSize))
    const page = Math.min(pages, Math.max(1, Number.parseInt(request.query.page ?? '1', 10) || 1))
    const rows = await knex('ordini_lavoro as o')
      .join('contribuenti as c', 'c.id_contribuente', 'o.id_contribuente')
      .select('o.id_odl', 'o.oggetto', 'o.stato', 'o.tipo_odl', 'o.data_apertura', 'c.nominativo')
      .orderBy('o.id_odl', 'desc')
      .offset((page - 1) * pageSize)
      .limit(pageSize)
    const list = rows.map((r: Record<string, unknown>) => ({
      id: Number(r.id_odl),
      subject: String(r.oggetto),
      status: String(r.stato),
      type: r.tipo_odl ? String(r.tipo_odl) : null,
      contributor: String(r.nominativo),
      openedAt: formatDate(r.data_apertura)
    }))
    return reply.type('text/html; charset=utf-8').send(workOrderListPage(operator, list, page, pages))
  })

  app.get<{ Querystring: { oauth?: string; mailbox?: string } }>('/admin/mailboxes', async (request, reply) => {
    const operator = operatorFromRequest(request)
    if (!operator) return reply.redirect('/login')
    if (!operator.permissions.includes('admin') || config.withoutModule || moduleError) return reply.status(403).send('Riservato agli amministratori.')
    const service = app.communications
    const [mailboxes, health] = await Promise.all([service.mailboxes.list(), service.health.status('it')])
    const connected = request.query.oauth === 'connected' ? Number.parseInt(request.query.mailbox ?? '', 10) || null : null
    return reply.type('text/html; charset=utf-8').send(mailboxesPage(operator, prefix, mailboxes, health.mailboxes, connected))
  })

  app.get<{ Params: { id: string } }>('/work-orders/:id', async (request, reply) => {
    const operator = operatorFromRequest(request)
    if (!operator) return reply.redirect('/login')
    const id = Number.parseInt(request.params.id, 10)
    const row = Number.isSafeInteger(id) ? await knex('ordini_lavoro').first('*').where('id_odl', id) : undefined
    if (!row)
      return reply
        .status(404)
        .type('text/html; charset=utf-8')
        .send('<!doctype html><html lang="it"><title>Non trovato</title><p>Ordine di lavoro non trovato.</p></html>')
    const c = await knex('contribuenti').first('*').where('id_contribuente', row.id_contribuente)
    const moduleUi = !config.withoutModule && !moduleError ? { script: uiScriptUrl(prefix), apiBase: prefix } : null
    return reply.type('text/html; charset=utf-8').send(
      workOrderDetailPage(
        operator,
        {
          id,
          subject: String(row.oggetto),
          description: row.descrizione ?? null,
          status: String(row.stato),
          type: row.tipo_odl ?? null,
          openedAt: formatDate(row.data_apertura),
          contributor: c
            ? {
                id: Number(c.id_contribuente),
                name: String(c.nominativo),
                fiscalCode: c.codice_fiscale ?? null,
                email: c.email ?? null,
                address: c.indirizzo ? `${c.indirizzo}, ${c.comune ?? ''}` : null
              }
            : null
        },
        moduleUi
      )
    )
  })

  return { app, moduleError: () => moduleError }
}

function formatDate(value: unknown): string {
  const date = value instanceof Date ? value : new Date(typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : (value as string | number))
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleString('it-IT', { timeZone: 'Europe/Rome', dateStyle: 'short', timeStyle: 'short' })
}
