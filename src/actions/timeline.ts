// What happens inside the office, on the conversation's timeline: internal notes (never sent) and state changes
// of the work order (written to the host table through the mapping, audited, and shown between the messages).
import { randomBytes } from 'node:crypto'
import { fieldError, notFound } from '../http-errors.js'
import { syntheticKey } from '../mail/message-id.js'
import { htmlToText, sanitizeEditorHtml } from '../mail/sanitize.js'
import { WORK_ORDER_STATES, type WorkOrderState } from '../types.js'
import { actorOf, type ActionDeps, type Actor } from './common.js'
import { escapeHtml } from '../domain/escape.js'
import { WORK_ORDER_STATE_LABELS } from '../domain/state-labels.js'

// timeline notes are written in Italian, the office's language
const STATE_LABELS = WORK_ORDER_STATE_LABELS.it

async function insertNote(
  deps: ActionDeps,
  workOrderId: number,
  contributorId: number | null,
  html: string,
  operator: Actor,
  meta: Record<string, unknown>,
  now: Date
): Promise<number> {
  return deps.repos.messages.insert({
    workOrderId,
    contributorId,
    direction: 'outbound',
    channel: 'note',
    messageId: null,
    dedupeKey: syntheticKey('note', workOrderId, randomBytes(16).toString('hex')),
    from: operator.email ?? null,
    fromName: operator.name,
    to: [],
    cc: [],
    subject: null,
    html,
    text: htmlToText(html),
    operator: actorOf(operator),
    meta,
    createdAt: now
  })
}

export async function addNote(deps: ActionDeps, workOrderId: number, input: { html: string }, operator: Actor): Promise<number> {
  const workOrder = await deps.repos.host.findWorkOrder(workOrderId)
  if (!workOrder) throw notFound('workOrderNotFound', { id: workOrderId })
  const html = sanitizeEditorHtml(String(input.html ?? ''))
  if (htmlToText(html).trim() === '') throw fieldError(400, 'emptyBody', {}, 'html')
  const now = deps.now()
  return deps.repos.transaction(async (tx) => {
    const id = await insertNote({ ...deps, repos: tx }, workOrderId, workOrder.contributorId, html, operator, { kind: 'note' }, now)
    await tx.audit.record({ actorType: 'operator', actorId: operator.id, actorName: operator.name, action: 'note.added', workOrderId, messageId: id }, now)
    await tx.notifications.follow(workOrderId, operator.id, operator.name, 'replied', now)
    await tx.changes.append(workOrderId, 'note', now)
    return id
  })
}

function isWorkOrderState(value: unknown): value is WorkOrderState {
  return typeof value === 'string' && (WORK_ORDER_STATES as readonly string[]).includes(value)
}

export interface StateChange {
  changed: boolean
  messageId: number | null
}

export async function setState(deps: ActionDeps, workOrderId: number, input: { state: unknown; note?: string }, operator: Actor): Promise<StateChange> {
  const { repos } = deps
  if (!isWorkOrderState(input.state)) throw fieldError(400, 'invalidState', { state: String(input.state).slice(0, 40) }, 'state')
  const state = input.state
  if (!repos.host.supportsState(state)) throw fieldError(400, 'stateNotMapped', { state }, 'state')
  const workOrder = await repos.host.findWorkOrder(workOrderId)
  if (!workOrder) throw notFound('workOrderNotFound', { id: workOrderId })
  if (workOrder.status === state) return { changed: false, messageId: null }

  const note = input.note ? sanitizeEditorHtml(String(input.note)) : ''
  const fromLabel = workOrder.status ? STATE_LABELS[workOrder.status] : (workOrder.hostStatus ?? '—')
  const html = `<p>Stato cambiato da <strong>${escapeHtml(fromLabel)}</strong> a <strong>${STATE_LABELS[state]}</strong>.</p>${note}`
  const now = deps.now()
  return repos.transaction(async (tx) => {
    await tx.host.setWorkOrderState(workOrderId, state)
    await tx.workOrderMeta.touchPublic(workOrderId, now) // the citizen sees the new state (Open311 updated_datetime)
    const id = await insertNote(
      { ...deps, repos: tx },
      workOrderId,
      workOrder.contributorId,
      html,
      operator,
      { kind: 'state', from: workOrder.status, to: state, hostFrom: workOrder.hostStatus },
      now
    )
    await tx.audit.record(
      {
        actorType: 'operator',
        actorId: operator.id,
        actorName: operator.name,
        action: 'workOrder.state',
        workOrderId,
        messageId: id,
        details: { from: workOrder.status, to: state, hostFrom: workOrder.hostStatus }
      },
      now
    )
    await tx.changes.append(workOrderId, 'state', now)
    return { changed: true, messageId: id }
  })
}
