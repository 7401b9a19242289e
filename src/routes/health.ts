// Health: a public liveness probe, and per-mailbox watcher state for operators.
import type { FastifyPluginAsync } from 'fastify'
import type { RouteOptions } from './context.js'

const healthRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get('/health/live', { config: { permission: 'public' } }, async () => ({ status: 'ok' }))

  app.get('/health', { config: { permission: 'read' } }, async () => {
    const repos = ctx.service.repositories
    const [mailboxes, states, outbox] = await Promise.all([repos.mailboxes.list(), repos.mailboxes.listStates(), repos.outbox.countByStatus()])
    const stateById = new Map(states.map((s) => [s.mailboxId, s]))
    const now = Date.now()
    const items = mailboxes.map((mb) => {
      const s = stateById.get(mb.id)
      return {
        id: mb.id,
        name: mb.name,
        enabled: mb.enabled,
        state: mb.enabled ? (s?.state ?? 'stopped') : 'disabled',
        uidValidity: s?.uidValidity ?? null,
        lastUid: s?.lastUid ?? 0,
        lastError: s?.lastError ?? null,
        lastErrorAt: s?.lastErrorAt ?? null,
        lastMessageAt: s?.lastMessageAt ?? null,
        lagSeconds: s?.lastMessageAt ? Math.round((now - Date.parse(s.lastMessageAt)) / 1000) : null,
        leaseOwner: s?.leaseOwner ?? null
      }
    })
    const degraded = items.some((m) => m.enabled && m.state !== 'idle' && m.state !== 'syncing' && m.state !== 'standby')
    // outbox: rows per status (queued, sending, sent, retrying, failed) across every instance
    return { status: degraded ? 'degraded' : 'ok', mailboxes: items, outbox }
  })
}

export default healthRoutes
