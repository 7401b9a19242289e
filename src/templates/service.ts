// Canned answers and signatures: who may keep which, validation at save time, the values a work order gives the
// placeholders, and the rendering preview the composer inserts. Signatures are added to replies and forwards by
// src/actions (signatureFor).
import { isRequestType, requestTypeLabel, serviceLabel } from '../domain/arera.js'
import {
  PLACEHOLDERS,
  SIGNATURE_PLACEHOLDERS,
  attachmentList,
  renderTemplate,
  validateTemplate,
  type PlaceholderValue,
  type Rendered,
  type TemplateField,
  type TemplateLang,
  type TemplateProblem
} from '../domain/templates.js'
import { HttpError, notFound } from '../http-errors.js'
import { formatDate } from '../domain/dates.js'
import { channelLabel } from '../mail/templates.js'
import { sanitizeEditorHtml } from '../mail/sanitize.js'
import type { ResolvedOptions } from '../options.js'
import type { Repositories } from '../repositories/index.js'
import type { StoredSignature, StoredTemplate, TemplateScope } from '../repositories/templates.js'
import type { WorkOrderView } from '../service.js'
import type { Operator } from '../types.js'

export interface TemplateBody {
  scope: TemplateScope
  name: string
  lang: TemplateLang
  html: string
  fields?: TemplateField[]
  reasonedReply?: boolean
}

export interface RenderRequest {
  workOrderId: number
  fields?: Record<string, string>
  attachmentNames?: string[]
}

export interface RenderedTemplate extends Rendered {
  templateId: number
  reasonedReply: boolean
}

type Actor = Pick<Operator, 'id' | 'name' | 'email'>

const operatorKey = (operatorId: string) => `operator:${operatorId}`
const mailboxKey = (mailboxId: number) => `mailbox:${mailboxId}`

/** A 400 that says what is wrong with a template or a signature, in the operator's language. */
function refuse(problems: TemplateProblem[]): never {
  const unknown = problems.filter((p) => p.kind === 'unknown').map((p) => (p.kind === 'unknown' ? `{{${p.name}}}` : ''))
  if (unknown.length)
    throw new HttpError(400, 'templateUnknownPlaceholder', { list: unknown.join(', ') }, { html: `segnaposto sconosciuti: ${unknown.join(', ')}` })
  const detail = problems.map((p) => (p.kind === 'unknown' ? p.name : p.detail)).join('; ')
  throw new HttpError(400, 'templateInvalid', { detail }, { html: detail })
}

/** Values the sender gives a signature (and every template). */
async function senderValues(
  repos: Repositories,
  options: ResolvedOptions,
  operator: Actor,
  mailboxId: number | null
): Promise<Record<string, PlaceholderValue>> {
  const mailbox = mailboxId === null ? null : await repos.mailboxes.findById(mailboxId)
  return {
    'operatore.nome': operator.name,
    'operatore.email': operator.email ?? null,
    'casella.nome': mailbox?.fromName ?? mailbox?.name ?? null,
    'casella.indirizzo': mailbox?.fromAddress ?? null,
    'ente.nome': options.organizationName
  }
}

/**
 * The operator's signature then the mailbox's, rendered for this sender, as HTML to append to an outgoing mail
 * ('' when neither is set).
 */
export async function signatureFor(repos: Repositories, options: ResolvedOptions, operator: Actor, mailboxId: number | null): Promise<string> {
  const keys = [operatorKey(operator.id), ...(mailboxId === null ? [] : [mailboxKey(mailboxId)])]
  const stored = await repos.templates.findSignatures(keys)
  const ordered = keys.map((k) => stored.find((s) => s.ownerKey === k)).filter((s): s is StoredSignature => s !== undefined)
  if (ordered.length === 0) return ''
  const values = await senderValues(repos, options, operator, mailboxId)
  return ordered.map((s) => `<div>${renderTemplate(s.html, values).html}</div>`).join('\n')
}

export function createTemplateService(repos: Repositories, options: ResolvedOptions, getWorkOrder: (id: number) => Promise<WorkOrderView | null>) {
  const isAdmin = (operator: Operator) => operator.permissions.includes('admin')
  const visible = (t: StoredTemplate, operator: Operator) => t.scope === 'shared' || t.ownerId === operator.id

  async function require(id: number, operator: Operator): Promise<StoredTemplate> {
    const template = await repos.templates.find(id)
    if (!template || !visible(template, operator)) throw notFound('templateNotFound', { id })
    return template
  }

  function mayChange(scope: TemplateScope, operator: Operator): void {
    if (scope === 'shared' && !isAdmin(operator)) throw new HttpError(403, 'forbidden', { permission: 'admin' })
  }

  function checked(body: TemplateBody, operator: Operator) {
    const html = sanitizeEditorHtml(body.html)
    const fields = (body.fields ?? []).map((f) => ({ name: f.name, label: f.label.trim(), required: f.required }))
    const problems = validateTemplate({ html, fields })
    if (problems.length) refuse(problems)
    return {
      scope: body.scope,
      ownerId: body.scope === 'personal' ? operator.id : null,
      name: body.name.trim(),
      lang: body.lang,
      html,
      fields,
      reasonedReply: body.reasonedReply ?? false,
      updatedBy: operator.name
    }
  }

  async function checkedSignature(html: string): Promise<string> {
    const clean = sanitizeEditorHtml(html)
    const problems = validateTemplate({ html: clean, allowed: SIGNATURE_PLACEHOLDERS, allowFields: false })
    if (problems.length) refuse(problems)
    return clean
  }

  async function workOrderValues(view: WorkOrderView, lang: TemplateLang, attachmentNames: string[]): Promise<Record<string, PlaceholderValue>> {
    const type = view.type
    return {
      'contribuente.nome': view.contributor?.displayName ?? null,
      'contribuente.codiceFiscale': view.contributor?.fiscalCode ?? null,
      'contribuente.email': view.contributor?.emails[0] ?? null,
      riferimento: view.reference ?? String(view.id),
      'ordine.numero': String(view.id),
      'ordine.oggetto': view.subject,
      'richiesta.tipo': type === null ? null : isRequestType(type) ? requestTypeLabel(type, lang) : type,
      'richiesta.servizio': view.service ? serviceLabel(view.service, lang) : null,
      'richiesta.canale': view.channel ? channelLabel(view.channel, lang) : null,
      'richiesta.ricevutaIl': view.receivedAt ? formatDate(new Date(view.receivedAt), lang, false) : null,
      scadenza: view.dueDate ? formatDate(view.dueDate, lang, false) : null,
      giorniRimanenti: typeof view.daysLeft === 'number' ? String(view.daysLeft) : null,
      oggi: formatDate(new Date(), lang, false),
      allegati: attachmentList(attachmentNames, lang)
    }
  }

  return {
    /** Every placeholder a template may use, with what it stands for. */
    placeholders(lang: TemplateLang) {
      return Object.entries(PLACEHOLDERS).map(([name, description]) => ({
        name,
        description: description[lang],
        signature: (SIGNATURE_PLACEHOLDERS as readonly string[]).includes(name)
      }))
    },

    list: (operator: Operator, lang?: TemplateLang) => repos.templates.listVisible(operator.id, lang),

    get: require,

    async create(body: TemplateBody, operator: Operator): Promise<StoredTemplate> {
      mayChange(body.scope, operator)
      const input = checked(body, operator)
      const id = await repos.transaction(async (tx) => {
        const created = await tx.templates.insert(input)
        await tx.audit.record({
          actorType: 'operator',
          actorId: operator.id,
          actorName: operator.name,
          action: 'template.created',
          details: { id: created, scope: input.scope, name: input.name }
        })
        return created
      })
      return (await repos.templates.find(id)) as StoredTemplate
    },

    async update(id: number, body: TemplateBody, operator: Operator): Promise<StoredTemplate> {
      const existing = await require(id, operator)
      mayChange(existing.scope, operator)
      mayChange(body.scope, operator)
      const input = checked(body, operator)
      await repos.transaction(async (tx) => {
        await tx.templates.update(id, input)
        await tx.audit.record({
          actorType: 'operator',
          actorId: operator.id,
          actorName: operator.name,
          action: 'template.updated',
          details: { id, scope: input.scope, name: input.name }
        })
      })
      return (await repos.templates.find(id)) as StoredTemplate
    },

    async remove(id: number, operator: Operator): Promise<void> {
      const existing = await require(id, operator)
      mayChange(existing.scope, operator)
      await repos.transaction(async (tx) => {
        await tx.templates.remove(id)
        await tx.audit.record({
          actorType: 'operator',
          actorId: operator.id,
          actorName: operator.name,
          action: 'template.deleted',
          details: { id, scope: existing.scope, name: existing.name }
        })
      })
    },

    /** The template filled in for a work order: what the composer inserts, and which required fields are missing. */
    async render(id: number, request: RenderRequest, operator: Operator): Promise<RenderedTemplate> {
      const template = await require(id, operator)
      const view = await getWorkOrder(request.workOrderId)
      if (!view) throw notFound('workOrderNotFound', { id: request.workOrderId })
      const mailboxId = (await repos.messages.lastInbound(view.id))?.mailboxId ?? null
      const values = {
        ...(await workOrderValues(view, template.lang, request.attachmentNames ?? [])),
        ...(await senderValues(repos, options, operator, mailboxId))
      }
      const rendered = renderTemplate(template.html, values, template.fields, request.fields ?? {})
      return { ...rendered, templateId: template.id, reasonedReply: template.reasonedReply }
    },

    async ownSignature(operator: Operator): Promise<StoredSignature | null> {
      return (await repos.templates.findSignatures([operatorKey(operator.id)]))[0] ?? null
    },

    async mailboxSignature(mailboxId: number): Promise<StoredSignature | null> {
      if (!(await repos.mailboxes.findById(mailboxId))) throw notFound('mailboxNotFound', { id: mailboxId })
      return (await repos.templates.findSignatures([mailboxKey(mailboxId)]))[0] ?? null
    },

    /** Sets (html) or removes (null) the operator's own signature or a mailbox's (admin: the route says so). */
    async setSignature(owner: { operatorId: string } | { mailboxId: number }, html: string | null, operator: Operator): Promise<StoredSignature | null> {
      if ('mailboxId' in owner && !(await repos.mailboxes.findById(owner.mailboxId))) throw notFound('mailboxNotFound', { id: owner.mailboxId })
      const key = 'mailboxId' in owner ? mailboxKey(owner.mailboxId) : operatorKey(owner.operatorId)
      const clean = html === null ? null : await checkedSignature(html)
      await repos.transaction(async (tx) => {
        if (clean === null) await tx.templates.removeSignature(key)
        else await tx.templates.setSignature(key, clean, operator.name)
        await tx.audit.record({
          actorType: 'operator',
          actorId: operator.id,
          actorName: operator.name,
          action: clean === null ? 'signature.removed' : 'signature.set',
          details: { owner: key }
        })
      })
      return clean === null ? null : ((await repos.templates.findSignatures([key]))[0] ?? null)
    }
  }
}

export type TemplateService = ReturnType<typeof createTemplateService>
