// Connecting an OAuth2 mailbox: the administrator starts the consent (the answer is the provider's page to open),
// the provider sends the browser back to the callback, which stores the grant and restarts the mailbox.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { operatorOf } from '../auth.js'
import { parseId } from '../http-errors.js'
import { translate, requestLocale } from '../i18n.js'
import type { RouteOptions } from './context.js'
import { idParams, int, nullableStr, object, str } from './schemas.js'

/** A path on the host to come back to: never another site (`//evil`, `https:`). */
const returnToSchema = { type: ['string', 'null'], maxLength: 2000, pattern: '^/(?![/\\\\])[^\\s]*$' } as const

const oauthRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  const oauth = ctx.service.mailboxes.oauth
  const prefix = ctx.options.prefix === '/' ? '' : ctx.options.prefix
  const redirectUri = (request: FastifyRequest) => ctx.options.mail.oauthRedirectUrl ?? `${request.protocol}://${request.host}${prefix}/oauth/callback`

  app.post<{ Params: { id: string }; Body: { returnTo?: string | null } | undefined }>(
    '/mailboxes/:id/oauth/start',
    {
      config: { permission: 'admin' },
      schema: {
        summary: 'Start connecting an OAuth2 mailbox (also: reconnect after a revoked grant): open authorizationUrl in the browser',
        tags: ['mailboxes'],
        params: idParams,
        body: { anyOf: [{ type: 'object', additionalProperties: false, properties: { returnTo: returnToSchema } }, { type: 'null' }] },
        response: { 200: object({ authorizationUrl: str, expiresAt: str }) }
      }
    },
    async (request) => oauth.start(parseId(request.params.id), operatorOf(request), redirectUri(request), request.body?.returnTo ?? null)
  )

  app.get<{ Querystring: { code?: string; state?: string; error?: string; error_description?: string } }>(
    '/oauth/callback',
    {
      config: { permission: 'admin' },
      schema: {
        summary: "The provider's redirect after consent: stores the grant and restarts the mailbox (or goes back to returnTo)",
        tags: ['mailboxes'],
        querystring: {
          type: 'object',
          properties: {
            code: { type: 'string', maxLength: 4000 },
            state: { type: 'string', maxLength: 200 },
            error: { type: 'string', maxLength: 200 },
            error_description: { type: 'string', maxLength: 2000 }
          }
        },
        response: { 200: object({ mailboxId: int, name: str, message: str, returnTo: nullableStr }), 303: { description: 'Back to returnTo.' } }
      }
    },
    async (request, reply) => {
      const done = await oauth.finish(request.query, operatorOf(request))
      if (done.returnTo) return reply.redirect(`${done.returnTo}${done.returnTo.includes('?') ? '&' : '?'}oauth=connected&mailbox=${done.mailboxId}`, 303)
      return { ...done, message: translate(requestLocale(request, ctx.options.locale), 'oauthConnected', { mailbox: done.name }) }
    }
  )
}

export default oauthRoutes
