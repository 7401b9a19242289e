// The only entry a host needs: validates options, decorates `fastify.communications`, mounts the routes in an
// encapsulated child under the prefix, and owns the lifecycle of background work.
import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import type { Knex } from 'knex'
import { installPermissionChecks } from './auth.js'
import { createKnex } from './database/connection.js'
import { installErrorHandling } from './routes/errors.js'
import { migrateLatest } from './database/migrate.js'
import { installOpenApi } from './routes/openapi.js'
import { installInputGuard } from './routes/input-guard.js'
import { OptionsError, validateAgainstDatabase, validateOptions, type CommunicationsOptions } from './options.js'
import healthRoutes from './routes/health.js'
import messageRoutes from './routes/messages.js'
import settingsRoutes from './routes/settings.js'
import workOrderRoutes from './routes/work-orders.js'
import type { RouteContext } from './routes/context.js'
import { createModule, type CommunicationsService, type ModuleHooks } from './module.js'
import attachmentRoutes from './routes/attachments.js'
import mailboxRoutes from './routes/mailboxes.js'
import mailboxOAuthRoutes from './routes/mailbox-oauth.js'
import spamRoutes from './routes/spam.js'
import archiveImportRoutes from './routes/archive-import.js'
import replyRoutes from './routes/replies.js'
import timelineRoutes from './routes/timeline.js'
import exportRoutes from './routes/export.js'
import classificationRoutes from './routes/classification.js'
import areraRoutes from './routes/arera.js'
import deadlineRoutes from './routes/deadlines.js'
import indicatorRoutes from './routes/indicators.js'
import registerRoutes from './routes/register.js'
import meRoutes from './routes/me.js'
import contributorRoutes from './routes/contributors.js'
import uiRoutes from './routes/ui.js'
import intakeRoutes from './routes/intake.js'
import open311Routes from './routes/open311.js'
import publicNoteRoutes from './routes/public-notes.js'
import templateRoutes from './routes/templates.js'
import signatureRoutes from './routes/signatures.js'
import publicationRoutes from './routes/publication.js'
import privacyRoutes from './routes/privacy.js'
import relationRoutes from './routes/relations.js'
import notificationRoutes from './routes/notifications.js'
import eventRoutes from './routes/events.js'
import searchRoutes from './routes/search.js'
import worklistRoutes from './routes/worklist.js'

declare module 'fastify' {
  interface FastifyInstance {
    communications: CommunicationsService
  }
}

const communicationsPlugin: FastifyPluginAsync<CommunicationsOptions & { hooks?: ModuleHooks }> = async (fastify, rawOptions) => {
  const options = validateOptions(rawOptions)
  const ownsKnex = !options.knex
  const knex: Knex = options.knex ?? createKnex(options.database as Knex.Config)

  try {
    if (options.migrate) await migrateLatest(knex)
    await validateAgainstDatabase(knex, options)
    const module = createModule(knex, options, fastify.log, rawOptions.hooks)
    const service = module.service
    const genericId = await service.settings.genericContributorId()
    if ((await service.contributors.findByIds([genericId])).length === 0) {
      throw new OptionsError('genericContributorId', `is ${genericId}, but no contributor with that id exists in "${options.mapping.contributors.table}"`)
    }

    await service.mailboxes.registerFromUrls(options.mail.mailboxes)
    fastify.decorate('communications', service)
    // Background work starts once the whole host is ready and stops before the connection pool closes.
    fastify.addHook('onReady', () => module.start())
    // open event streams would keep the server from closing: they end before it stops listening
    fastify.addHook('preClose', async () => service.changes.closeStreams())
    fastify.addHook('onClose', () => module.stop())
    const ctx: RouteContext = { service, options }

    await fastify.register(
      async (child) => {
        installPermissionChecks(child, options.authorize)
        installErrorHandling(child, options.locale)
        // every query string and body of every route below read strictly: repeats, bad UTF-8 and NUL are 400s
        installInputGuard(child)
        await installOpenApi(child, options.organizationName)
        await child.register(workOrderRoutes, { ctx })
        await child.register(messageRoutes, { ctx })
        await child.register(healthRoutes, { ctx })
        await child.register(settingsRoutes, { ctx })
        await child.register(attachmentRoutes, { ctx })
        await child.register(mailboxRoutes, { ctx })
        await child.register(mailboxOAuthRoutes, { ctx })
        await child.register(spamRoutes, { ctx })
        await child.register(archiveImportRoutes, { ctx })
        await child.register(replyRoutes, { ctx })
        await child.register(timelineRoutes, { ctx })
        await child.register(exportRoutes, { ctx })
        await child.register(classificationRoutes, { ctx })
        await child.register(areraRoutes, { ctx })
        await child.register(registerRoutes, { ctx })
        await child.register(indicatorRoutes, { ctx })
        await child.register(deadlineRoutes, { ctx })
        await child.register(meRoutes, { ctx })
        await child.register(contributorRoutes, { ctx })
        await child.register(uiRoutes, { ctx })
        await child.register(intakeRoutes, { ctx })
        await child.register(publicNoteRoutes, { ctx })
        await child.register(templateRoutes, { ctx })
        await child.register(signatureRoutes, { ctx })
        await child.register(publicationRoutes, { ctx })
        await child.register(privacyRoutes, { ctx })
        await child.register(relationRoutes, { ctx })
        await child.register(notificationRoutes, { ctx })
        await child.register(eventRoutes, { ctx })
        await child.register(searchRoutes, { ctx })
        await child.register(worklistRoutes, { ctx })
        // Open311 answers errors in its own shape: its own context, with its own error handler
        await child.register(open311Routes, { ctx, prefix: '/open311/v2' })
      },
      { prefix: options.prefix }
    )
  } catch (err) {
    if (ownsKnex) await knex.destroy()
    throw err
  }

  fastify.addHook('onClose', async () => {
    if (ownsKnex) await knex.destroy()
  })
}

export default fp(communicationsPlugin, { fastify: '5.x', name: 'ticket-reclami-comunicazioni' })
export { communicationsPlugin }
export type { CommunicationsOptions, HostMapping, ContributorMapping, WorkOrderMapping } from './options.js'
export { OptionsError } from './options.js'
export type { WorkOrderView } from './service.js'
export type { CommunicationsService } from './module.js'
export type * from './types.js'
export { migrateLatest, migrateRollbackAll } from './database/migrate.js'
export { knexConfigFromUrl, mssqlDateTime2Binding } from './database/connection.js'
export { uiScriptUrl } from './routes/ui.js'
export { open311ClientErrorHandler } from './routes/open311-http.js'
