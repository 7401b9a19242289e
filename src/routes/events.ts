// GET <prefix>/events: the changes an operator may see, as Server-Sent Events, while the stream stays open.
// Authenticated like every route (the host's session cookie goes with the browser's EventSource; Bearer clients
// send their header). Each event is `id: <sequence>` and `data: { workOrderId, kind }`; a client that reconnects
// with Last-Event-ID first gets exactly what it missed, then the live changes. A comment every `heartbeatMs`
// keeps proxies from closing an idle stream, once the host confirmed the operator may still read; the stream ends
// when that is no longer so (the browser then reconnects and gets its 401) and when the instance shuts down.
import type { FastifyPluginAsync } from 'fastify'
import { operatorOf, stillPermitted } from '../auth.js'
import { parseId } from '../http-errors.js'
import type { Change } from '../repositories/changes.js'
import type { RouteOptions } from './context.js'
import { query } from './schemas.js'

/** More missed changes than this (or some already pruned) and the client is told to reload instead (`kind: 'resync'`). */
const MAX_CATCH_UP = 1000

const EVENT_DESCRIPTION =
  'A `text/event-stream` that stays open. Each change: `id: <sequence>` and `data: {"workOrderId": <id or null>, "kind": ' +
  '"message"|"reply"|"delivery"|"state"|"note"|"merge"|"link"|"spam"|"quarantine"}` (`null` work order: a mailbox-level change, ' +
  'sent to administrators only). Reconnecting with `Last-Event-ID` delivers exactly the changes missed since that id (kept ' +
  'for a day); `kind: "resync"` means too much was missed, or changes already pruned: reload. A comment line every 15 s is the heartbeat.'

function parseLastEventId(value: unknown): number | null {
  const text = Array.isArray(value) ? value[0] : value
  return typeof text === 'string' && /^\d{1,15}$/.test(text.trim()) ? Number(text.trim()) : null
}

const frame = (seq: number, workOrderId: number | null, kind: string) => `id: ${seq}\ndata: ${JSON.stringify({ workOrderId, kind })}\n\n`

const eventRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get<{ Querystring: { workOrderId?: string } }>(
    '/events',
    {
      config: { permission: 'read' },
      schema: {
        summary: 'Changes as they happen (Server-Sent Events)',
        description: EVENT_DESCRIPTION,
        tags: ['live'],
        querystring: query({ workOrderId: { type: 'string', pattern: '^[0-9]{1,15}$', description: 'Only the changes of this work order.' } }),
        headers: {
          type: 'object',
          properties: { 'last-event-id': { type: 'string', maxLength: 20, description: 'Resume after this event (sent by EventSource when it reconnects).' } }
        },
        response: { 200: { description: 'The event stream.', content: { 'text/event-stream': { schema: { type: 'string' } } } } }
      }
    },
    async (request, reply) => {
      const operator = operatorOf(request)
      const only = request.query.workOrderId === undefined ? null : parseId(request.query.workOrderId)
      const admin = operator.permissions.includes('admin')
      // mailbox-level changes (spam list, quarantine) are administrators' business
      const visible = (c: Change) => (only === null || c.workOrderId === only) && (c.workOrderId !== null || admin)
      const raw = reply.raw
      let pending: Change[] | null = [] // live changes that arrive while the missed ones are read
      let heartbeat: ReturnType<typeof setInterval> | null = null
      const write = (text: string) => {
        if (!raw.destroyed && !raw.writableEnded) raw.write(text)
      }
      const send = (c: Change) => {
        if (visible(c)) write(frame(c.seq, c.workOrderId, c.kind))
      }
      const subscription = await ctx.service.changes.subscribe({
        change: (c) => (pending ? pending.push(c) : send(c)),
        close: () => finish()
      })
      function finish(): void {
        subscription.unsubscribe()
        if (heartbeat) clearInterval(heartbeat)
        heartbeat = null
        if (!raw.writableEnded) raw.end()
      }
      raw.on('close', finish)

      reply.hijack()
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no', // nginx: pass events on as they are written
        'x-content-type-options': 'nosniff'
      })
      write('retry: 2000\n: connected\n\n')
      const resumeAfter = parseLastEventId(request.headers['last-event-id'])
      if (resumeAfter !== null && resumeAfter < subscription.position) {
        try {
          const missed = await ctx.service.changes.since(resumeAfter, subscription.position, MAX_CATCH_UP)
          if (missed) missed.forEach(send)
          else write(frame(subscription.position, null, 'resync'))
        } catch (err) {
          request.log.warn({ err }, 'events: could not read the missed changes; asking the client to reload')
          write(frame(subscription.position, null, 'resync'))
        }
      }
      const live = pending
      pending = null
      live.forEach(send)
      // with each heartbeat the host is asked again: a stream outlives neither its session nor its permission
      heartbeat = setInterval(() => {
        void stillPermitted(request, ctx.options.authorize, 'read').then((ok) => (ok ? write(': heartbeat\n\n') : finish()))
      }, ctx.options.live.heartbeatMs)
      heartbeat.unref()
    }
  )
}

export default eventRoutes
