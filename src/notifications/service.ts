// Notifications: operators follow work orders (by answering them, or with "segui") and are told when the citizen
// replies, when a delivery fails and when a request is due tomorrow — in the app (a list and an unread count) and,
// if they choose, by email: one mail per operator per run, and each work order in at most one mail per quarter-hour.
import { randomBytes } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import type { DeadlineItem } from '../arera/types.js'
import { addCalendarDays, romeDate } from '../domain/working-days.js'
import { fieldError, notFound } from '../http-errors.js'
import { messageIdDomain, ORIGIN_HEADER } from '../mail/outbound.js'
import type { Repositories } from '../repositories/index.js'
import type { Follower, NotificationKind, StoredNotification } from '../repositories/notifications.js'
import type { Operator } from '../types.js'
import { digestMail, notificationLabel, type DigestEntry } from './digest-mail.js'

export interface NotificationView {
  id: number
  workOrderId: number
  reference: string | null
  subject: string | null
  kind: NotificationKind
  label: string
  detail: string | null
  createdAt: string
  readAt: string | null
}

export interface NotificationDeps {
  repos: Repositories
  /** The reply deadlines (the ARERA service): the ones due tomorrow are announced. */
  deadlines: (now: Date) => Promise<DeadlineItem[]>
  from: string | null
  log: Pick<FastifyBaseLogger, 'info' | 'error'>
  /** How often due dates are checked and emails sent (default 60 s). */
  everyMs: number
  /** A work order is in at most one email per operator within this time (default 15 minutes). */
  quietMs: number
  onQueued?: () => void
}

type Who = Pick<Operator, 'id' | 'name' | 'email'>

export function createNotificationService(deps: NotificationDeps) {
  const { repos } = deps
  let timer: NodeJS.Timeout | null = null
  let running: Promise<unknown> | null = null

  async function requireWorkOrder(id: number): Promise<void> {
    if (!(await repos.host.findWorkOrder(id))) throw notFound('workOrderNotFound', { id })
  }

  async function followers(workOrderId: number, who: Who): Promise<{ following: boolean; followers: Follower[] }> {
    await requireWorkOrder(workOrderId)
    const list = await repos.notifications.listFollowers(workOrderId)
    return { following: list.some((f) => f.operatorId === who.id), followers: list }
  }

  async function views(items: StoredNotification[], locale: 'it' | 'en'): Promise<NotificationView[]> {
    const ids = [...new Set(items.map((n) => n.workOrderId))]
    const metas = new Map((await repos.workOrderMeta.findByIds(ids)).map((m) => [m.workOrderId, m]))
    const workOrders = new Map((await repos.host.findWorkOrdersByIds(ids)).map((w) => [w.id, w]))
    return items.map((n) => ({
      id: n.id,
      workOrderId: n.workOrderId,
      reference: metas.get(n.workOrderId)?.reference ?? null,
      subject: workOrders.get(n.workOrderId)?.subject ?? null,
      kind: n.kind,
      label: notificationLabel(n.kind, locale),
      detail: n.detail || null,
      createdAt: n.createdAt,
      readAt: n.readAt
    }))
  }

  /** Every follower of a request due tomorrow (Europe/Rome) is told once per due date. */
  async function announceDueTomorrow(now: Date): Promise<number> {
    const tomorrow = addCalendarDays(romeDate(now), 1)
    let added = 0
    for (const item of await deps.deadlines(now)) {
      if (item.dueDate !== tomorrow) continue
      added += await repos.notifications.notifyFollowers(item.workOrderId, 'due_tomorrow', tomorrow, now, { once: true })
    }
    return added
  }

  /** Queues one email per operator who asked for them, leaving out work orders mailed about in the quiet time. */
  async function sendEmails(now: Date): Promise<number> {
    if (!deps.from) return 0
    const pending = await repos.notifications.listPendingEmail()
    if (!pending.length) return 0
    const recent = await repos.notifications.lastEmailed([...new Set(pending.map((p) => p.operatorId))], new Date(now.getTime() - deps.quietMs))
    const byOperator = new Map<string, typeof pending>()
    for (const n of pending) {
      if (recent.has(`${n.operatorId}:${n.workOrderId}`)) continue
      byOperator.set(n.operatorId, [...(byOperator.get(n.operatorId) ?? []), n])
    }
    let queued = 0
    for (const [operatorId, items] of byOperator) {
      const first = items[0] as (typeof pending)[number]
      const described = await views(items, first.locale)
      const entries = new Map<number, DigestEntry>()
      for (const v of described) {
        const entry = entries.get(v.workOrderId) ?? { reference: v.reference, workOrderId: v.workOrderId, subject: v.subject, kinds: [], details: [] }
        entry.kinds.push(v.kind)
        if (v.detail) entry.details.push(v.kind === 'due_tomorrow' ? '' : v.detail)
        entries.set(v.workOrderId, entry)
      }
      const mail = digestMail([...entries.values()], first.locale)
      const from = deps.from
      await repos.transaction(async (tx) => {
        await tx.outbox.enqueue(
          {
            messageId: null,
            kind: 'notification',
            payload: {
              from,
              to: [first.email],
              cc: [],
              subject: mail.subject,
              html: mail.html,
              text: mail.text,
              attachmentIds: [],
              messageId: `<notification.${randomBytes(8).toString('hex')}@${messageIdDomain(from)}>`,
              headers: { [ORIGIN_HEADER]: 'notification', 'Auto-Submitted': 'auto-generated' }
            }
          },
          now
        )
        await tx.notifications.markEmailed(
          items.map((i) => i.id),
          now
        )
      })
      deps.log.info({ operatorId, workOrders: entries.size }, 'notification email queued')
      queued++
    }
    if (queued) deps.onQueued?.()
    return queued
  }

  /** One pass: tomorrow's due dates, then the emails. */
  async function runOnce(now: Date = new Date()): Promise<{ dueTomorrow: number; emails: number }> {
    const dueTomorrow = await announceDueTomorrow(now)
    return { dueTomorrow, emails: await sendEmails(now) }
  }

  return {
    async list(who: Who, opts: { unreadOnly?: boolean; limit?: number }, locale: 'it' | 'en'): Promise<{ items: NotificationView[]; unread: number }> {
      const items = await repos.notifications.listForOperator(who.id, opts)
      return { items: await views(items, locale), unread: await repos.notifications.countUnread(who.id) }
    },

    async markRead(who: Who, ids: readonly number[] | null, now: Date = new Date()): Promise<{ marked: number; unread: number }> {
      const marked = await repos.notifications.markRead(who.id, ids, now)
      return { marked, unread: await repos.notifications.countUnread(who.id) }
    },

    followers,

    async follow(workOrderId: number, who: Who, now: Date = new Date()) {
      await requireWorkOrder(workOrderId)
      await repos.notifications.follow(workOrderId, who.id, who.name, 'followed', now)
      return followers(workOrderId, who)
    },

    async unfollow(workOrderId: number, who: Who) {
      await requireWorkOrder(workOrderId)
      await repos.notifications.unfollow(workOrderId, who.id)
      return followers(workOrderId, who)
    },

    async settings(who: Who): Promise<{ emailNotifications: boolean; email: string | null; locale: 'it' | 'en' }> {
      const saved = await repos.notifications.findSettings(who.id)
      return { emailNotifications: saved?.emailNotifications ?? false, email: who.email ?? saved?.email ?? null, locale: saved?.locale ?? 'it' }
    },

    /** Email goes to the address the host gives for the operator; without one, it cannot be switched on. */
    async saveSettings(who: Who, input: { emailNotifications: boolean; locale?: 'it' | 'en' }, now: Date = new Date()) {
      if (input.emailNotifications && !who.email) throw fieldError(400, 'notificationEmailMissing', {}, 'emailNotifications')
      const saved = await repos.notifications.findSettings(who.id)
      const settings = {
        operatorId: who.id,
        email: who.email ?? null,
        locale: input.locale ?? saved?.locale ?? 'it',
        emailNotifications: input.emailNotifications
      }
      await repos.notifications.saveSettings(settings, now)
      return { emailNotifications: settings.emailNotifications, email: settings.email, locale: settings.locale }
    },

    runOnce,

    start(): void {
      if (timer) return
      timer = setInterval(() => {
        if (running) return
        running = runOnce()
          .catch((err: unknown) => deps.log.error({ err }, 'notifications: pass failed; trying again at the next one'))
          .finally(() => {
            running = null
          })
      }, deps.everyMs)
      timer.unref()
    },

    async stop(): Promise<void> {
      if (timer) clearInterval(timer)
      timer = null
      await running
    }
  }
}

export type NotificationService = ReturnType<typeof createNotificationService>
