// Mailboxes for administrators: list, create, change, enable/disable, delete, test the connection.
// Passwords go in, never out.
import type { FastifyPluginAsync } from 'fastify'
import { operatorOf } from '../auth.js'
import { parseId } from '../http-errors.js'
import type { MailboxSettings } from '../mail/mailbox-manager.js'
import { requestLocale } from '../i18n.js'
import type { RouteOptions } from './context.js'
import { bool, idParams, int, itemsOf, nullableInt, nullableStr, object, str } from './schemas.js'

/** A mailbox as administrators see it: never its password, only whether it has one. */
const mailboxSchema = object({
  id: int,
  name: str,
  host: str,
  port: int,
  secure: bool,
  username: str,
  folder: str,
  fromAddress: nullableStr,
  fromName: nullableStr,
  enabled: bool,
  moveToFolder: nullableStr,
  maxMessageBytes: nullableInt,
  pec: bool,
  pecProviderDomain: nullableStr,
  verp: bool,
  source: { type: 'string', enum: ['api', 'env'] },
  createdAt: str,
  updatedAt: str,
  hasPassword: bool,
  initialSync: { type: 'string', enum: ['new-only', 'all'] },
  authservId: nullableStr,
  confirmUnauthenticated: bool,
  smtp: { anyOf: [object({ host: str, port: int, secure: bool, username: nullableStr, hasPassword: bool }), { type: 'null' }] },
  authMethod: { type: 'string', enum: ['password', 'oauth2'] },
  oauth: {
    anyOf: [
      object({
        provider: { type: 'string', enum: ['microsoft', 'google', 'issuer'] },
        tenant: nullableStr,
        issuer: nullableStr,
        clientId: str,
        scopes: { type: 'array', items: str },
        delegate: nullableStr,
        hasClientSecret: bool,
        connected: bool,
        connectedAt: nullableStr
      }),
      { type: 'null' }
    ]
  }
})
const connectionTestSchema = object({ ok: bool, messages: int, uidValidity: str, error: str }, ['messages', 'uidValidity', 'error'])
const quarantineSchema = object({
  id: int,
  mailboxId: nullableInt,
  uidValidity: nullableStr,
  imapUid: nullableInt,
  reason: str,
  messageId: nullableStr,
  size: int,
  rawStorageKey: nullableStr,
  createdAt: str,
  resolvedAt: nullableStr
})
const doc = (summary: string, response: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ summary, tags: ['mailboxes'], response, ...extra })

/** Microsoft 365 needs the organisation's own tenant (never /common), any other provider its issuer URL. */
const oauthSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['provider', 'clientId'],
  properties: {
    provider: { type: 'string', enum: ['microsoft', 'google', 'issuer'] },
    tenant: { type: ['string', 'null'], maxLength: 253, pattern: '^(?![Cc][Oo][Mm][Mm][Oo][Nn]$|[Oo]rganizations$|[Cc]onsumers$)[A-Za-z0-9][A-Za-z0-9.-]*$' },
    issuer: { type: ['string', 'null'], maxLength: 1000, pattern: '^https?://[^/?#]+' },
    clientId: { type: 'string', minLength: 1, maxLength: 500 },
    /** Encrypted at rest, never returned. */
    clientSecret: { type: 'string', maxLength: 2000 },
    scopes: { type: ['array', 'null'], items: { type: 'string', minLength: 1, maxLength: 300, pattern: '^\\S+$' }, maxItems: 20 },
    delegate: { type: ['string', 'null'], maxLength: 320 }
  },
  allOf: [
    { if: { properties: { provider: { const: 'microsoft' } } }, then: { required: ['tenant'], properties: { tenant: { type: 'string' } } } },
    { if: { properties: { provider: { const: 'issuer' } } }, then: { required: ['issuer'], properties: { issuer: { type: 'string' } } } }
  ]
} as const

const settingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    host: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9.-]+$' },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    secure: { type: 'boolean' },
    username: { type: 'string', minLength: 1, maxLength: 320 },
    password: { type: 'string', maxLength: 1000 },
    folder: { type: 'string', minLength: 1, maxLength: 255 },
    fromAddress: { type: ['string', 'null'], maxLength: 320, format: 'email' },
    fromName: { type: ['string', 'null'], maxLength: 200 },
    enabled: { type: 'boolean' },
    moveToFolder: { type: ['string', 'null'], maxLength: 255 },
    maxMessageBytes: { type: ['integer', 'null'], minimum: 1024 },
    /** The mailbox's own outgoing server (`smtp(s)://user:pass@host:port`, encrypted at rest, never returned). */
    smtpUrl: { type: ['string', 'null'], maxLength: 2000, pattern: '^smtps?://[^/?#]+' },
    pec: { type: 'boolean' },
    pecProviderDomain: { type: ['string', 'null'], maxLength: 255, pattern: '^[A-Za-z0-9.-]+$' },
    /** false: mail leaves with the plain From address as envelope sender (relays that refuse or rewrite a VERP one). */
    verp: { type: 'boolean' },
    initialSync: { type: 'string', enum: ['new-only', 'all'] },
    /** The receiving server's authserv-id: only its Authentication-Results are believed (null: the topmost one). */
    authservId: { type: ['string', 'null'], maxLength: 255, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
    /** Confirm senders the receiving server did not authenticate too, never quoting their mail. */
    confirmUnauthenticated: { type: 'boolean' },
    /** 'oauth2': sign in with tokens from `oauth` once an administrator has connected the mailbox (POST /mailboxes/:id/oauth/start). */
    authMethod: { type: 'string', enum: ['password', 'oauth2'] },
    oauth: { anyOf: [oauthSettingsSchema, { type: 'null' }] }
  }
} as const

const mailboxRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  const mailboxes = ctx.service.mailboxes

  app.get('/mailboxes', { config: { permission: 'admin' }, schema: doc('The mailboxes', { 200: itemsOf(mailboxSchema) }) }, async () => ({
    items: await mailboxes.list()
  }))

  app.get<{ Params: { id: string } }>(
    '/mailboxes/:id',
    { config: { permission: 'admin' }, schema: doc('One mailbox', { 200: mailboxSchema }, { params: idParams }) },
    async (request) => mailboxes.get(parseId(request.params.id))
  )

  app.post<{ Body: MailboxSettings }>(
    '/mailboxes',
    {
      config: { permission: 'admin' },
      schema: doc(
        'Add a mailbox (audited); its watcher starts',
        { 201: mailboxSchema },
        // a password, or OAuth2 settings (connected afterwards)
        { body: { ...settingsSchema, required: ['name', 'host', 'username'], anyOf: [{ required: ['password'] }, { required: ['oauth'] }] } }
      )
    },
    async (request, reply) => reply.status(201).send(await mailboxes.create(request.body, operatorOf(request)))
  )

  app.patch<{ Params: { id: string }; Body: Partial<MailboxSettings> }>(
    '/mailboxes/:id',
    {
      config: { permission: 'admin' },
      schema: doc('Change a mailbox (audited)', { 200: mailboxSchema }, { params: idParams, body: settingsSchema })
    },
    async (request) => mailboxes.update(parseId(request.params.id), request.body, operatorOf(request))
  )

  app.delete<{ Params: { id: string } }>(
    '/mailboxes/:id',
    {
      config: { permission: 'admin' },
      schema: doc('Delete a mailbox (audited); its messages stay', { 204: { description: 'Deleted.' } }, { params: idParams })
    },
    async (request, reply) => {
      await mailboxes.remove(parseId(request.params.id), operatorOf(request))
      return reply.status(204).send()
    }
  )

  app.post<{ Params: { id: string } }>(
    '/mailboxes/:id/test',
    {
      config: { permission: 'admin' },
      schema: doc("Test a stored mailbox's connection", { 200: connectionTestSchema }, { params: idParams })
    },
    async (request) => mailboxes.test(parseId(request.params.id), requestLocale(request, ctx.options.locale))
  )

  app.post<{ Body: MailboxSettings }>(
    '/mailboxes/test',
    {
      config: { permission: 'admin' },
      schema: doc('Test unsaved settings', { 200: connectionTestSchema }, { body: { ...settingsSchema, required: ['host', 'username', 'password'] } })
    },
    async (request) => mailboxes.test({ ...request.body, name: request.body.name ?? 'test' }, requestLocale(request, ctx.options.locale))
  )

  app.get(
    '/quarantine',
    { config: { permission: 'admin' }, schema: doc('Mail that could not become a message, with the reason', { 200: itemsOf(quarantineSchema) }) },
    async () => ({ items: await mailboxes.quarantine() })
  )
}

export default mailboxRoutes
