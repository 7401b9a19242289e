// The servicerequestupdates extension (the one FixMyStreet uses), both ways: the changes of a request the public
// may see (state changes and operators' public notes, read from the audit log) and a citizen's comment sent by
// the app, which joins the conversation as an inbound message of channel 'app'.
import { randomUUID } from 'node:crypto'
import type { Locale } from '../i18n.js'
import { syntheticKey } from '../mail/message-id.js'
import { WORK_ORDER_STATES, type WorkOrderState } from '../types.js'
import type { IntakeDeps } from './service.js'
import { requestStateLabel } from '../domain/state-labels.js'
import { descriptionBody } from './validate.js'
import { escapeHtml } from '../domain/escape.js'

/** One change of a published request, as servicerequestupdates lists it. */
export interface PublicUpdate {
  /** The audit entry's id: stable, unique, increasing. */
  updateId: string
  reference: string
  workOrderId: number
  kind: 'state' | 'note'
  /** The state of the request after the change. */
  status: WorkOrderState
  at: string
  description: string
}

export interface CitizenComment {
  reference: string
  text: string
  email: string | null
  firstName: string | null
  lastName: string | null
  phone: string | null
  mediaUrl: string | null
  /** The client's own id of the update (FixMyStreet's update_id_ext): the same id twice is stored once. */
  externalId: string | null
  /** When the citizen wrote it, as the client says (recorded, not trusted for ordering). */
  writtenAt: string | null
  client: { apiKeyName: string; ip: string | null }
}

/** Audit actions that are changes the public sees. */
const PUBLIC_ACTIONS = ['workOrder.state', 'workOrder.reopened', 'note.public'] as const

const isState = (value: unknown): value is WorkOrderState => (WORK_ORDER_STATES as readonly unknown[]).includes(value)

export function createUpdateService(deps: IntakeDeps) {
  const { repos, options } = deps
  const clock = () => deps.now?.() ?? new Date()

  return {
    /** Public changes in [from, to], oldest first, at most `limit`: a client asks again from the last one it got. */
    async listUpdates(filter: { from: Date; to: Date; limit: number }, locale: Locale): Promise<PublicUpdate[]> {
      const entries = await repos.audit.listIntakeChanges({ actions: PUBLIC_ACTIONS, ...filter })
      const ids = [...new Set(entries.map((e) => e.workOrderId).filter((id): id is number => id !== null))]
      const metas = new Map((await repos.workOrderMeta.findByIds(ids)).map((m) => [m.workOrderId, m]))
      const current = new Map((await repos.host.findWorkOrdersByIds(ids)).map((w) => [w.id, w.status ?? 'open']))
      const noteIds = entries.filter((e) => e.action === 'note.public' && e.messageId !== null).map((e) => e.messageId as number)
      const notes = new Map((await repos.messages.findByIds(noteIds)).map((m) => [m.id, m]))
      const out: PublicUpdate[] = []
      for (const e of entries) {
        const meta = e.workOrderId === null ? undefined : metas.get(e.workOrderId)
        if (!meta) continue
        if (e.action === 'note.public') {
          const note = e.messageId === null ? undefined : notes.get(e.messageId)
          if (!note) continue
          const status = isState(e.details.status) ? e.details.status : (current.get(meta.workOrderId) ?? 'open')
          out.push({
            updateId: String(e.id),
            reference: meta.reference,
            workOrderId: meta.workOrderId,
            kind: 'note',
            status,
            at: e.at,
            description: note.text ?? ''
          })
        } else {
          const to = e.action === 'workOrder.reopened' ? 'open' : e.details.to
          if (!isState(to)) continue
          const description = locale === 'it' ? `Stato della richiesta: ${requestStateLabel(to, locale)}.` : `Request status: ${requestStateLabel(to, locale)}.`
          out.push({ updateId: String(e.id), reference: meta.reference, workOrderId: meta.workOrderId, kind: 'state', status: to, at: e.at, description })
        }
      }
      return out
    },

    /**
     * A citizen's comment on their request from the app: an inbound message of channel 'app' on the work order's
     * conversation, audited. It never changes the state (that is the operator's) and is never published.
     */
    async addComment(c: CitizenComment): Promise<{ messageId: number; created: boolean } | 'notFound'> {
      const now = clock()
      const intake = await repos.intakeRequests.findByReference(c.reference)
      const workOrder = intake ? await repos.host.findWorkOrder(intake.workOrderId) : null
      if (!intake || !workOrder) return 'notFound'
      const dedupeKey = syntheticKey('intake', 'comment', `${c.client.apiKeyName}:${c.externalId ?? randomUUID()}`)
      const again = await repos.messages.findByDedupeKey(dedupeKey)
      if (again) return { messageId: again.id, created: false }
      const body = descriptionBody(c.text)
      const link = c.mediaUrl ? `<p><a href="${escapeHtml(c.mediaUrl)}">${escapeHtml(c.mediaUrl)}</a></p>` : ''
      const fromName = [c.firstName, c.lastName].filter(Boolean).join(' ') || null
      const it = options.locale === 'it'
      return repos.transaction(async (tx) => {
        const messageId = await tx.messages.insert({
          workOrderId: workOrder.id,
          contributorId: workOrder.contributorId,
          direction: 'inbound',
          channel: 'app',
          messageId: null,
          dedupeKey,
          from: c.email,
          fromName,
          to: [],
          cc: [],
          subject: `${it ? "Commento dall'app" : 'Comment from the app'} – ${intake.reference}`,
          html: body.html + link,
          text: [body.text, c.mediaUrl].filter(Boolean).join('\n\n'),
          meta: {
            kind: 'citizenComment',
            comment: { client: c.client.apiKeyName, externalId: c.externalId, phone: c.phone, mediaUrl: c.mediaUrl, writtenAt: c.writtenAt }
          },
          receivedAt: now,
          createdAt: now
        })
        await tx.audit.record(
          {
            actorType: 'citizen',
            actorName: c.email,
            action: 'intake.comment',
            workOrderId: workOrder.id,
            messageId,
            details: { client: c.client.apiKeyName, ip: c.client.ip, externalId: c.externalId }
          },
          now
        )
        return { messageId, created: true }
      })
    }
  }
}
