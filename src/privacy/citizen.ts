// A citizen's rights over what the module holds (GDPR art. 15/20 access and portability, art. 17 erasure):
// everything about a contributor or an email address as a zip of JSON and the files, and erasure refused with
// the reason when a legal obligation (the ARERA register, an open request) requires keeping the data.
import JSZip from 'jszip'
import { SERVABLE_SCANS } from '../repositories/attachments.js'
import { HttpError, notFound } from '../http-errors.js'
import type { Repositories } from '../repositories/index.js'
import { readAttachmentContent, type AttachmentStorage } from '../storage.js'
import type { Message, Operator } from '../types.js'
import { anonymizeWorkOrders, registerCutoff, registerKeptUntil, type AnonymizeCounts } from './anonymize.js'
import { addressScope, concernedWorkOrders, type ErasureScope } from './erasure-scope.js'

export interface CitizenDeps {
  repos: Repositories
  storage: AttachmentStorage
  /** The service's own views, so the export shows exactly what operators see. */
  workOrderView(id: number): Promise<unknown>
  conversation(workOrderId: number): Promise<Message[]>
  message(id: number): Promise<Message | null>
  /** Work orders of unknown senders go to it: its requests are nobody's but their correspondents'. */
  genericContributorId(): Promise<number>
}

export interface ExportFile {
  filename: string
  content: Buffer
}

type Subject = { contributorId: number } | { email: string }

function validAddress(email: string): string {
  const address = email.trim().toLowerCase()
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address)) throw new HttpError(400, 'invalidAddress', { field: 'email', value: email.slice(0, 100) })
  return address
}

const safeName = (name: string) => name.replace(/[/\\\p{Cc}]/gu, '_').slice(0, 150) || 'file'

export function createCitizenRights(deps: CitizenDeps) {
  const { repos, storage } = deps

  async function bytesOf(id: number): Promise<Buffer | null> {
    const meta = await repos.attachments.findById(id)
    if (!meta) return null
    return readAttachmentContent(meta, storage, repos.attachments.readContent, { missingFileAsNull: true })
  }

  /** Adds the messages' JSON and their files under `folder`; infected or unscanned files are listed, not included. */
  async function addMessages(zip: JSZip, folder: string, messages: Message[], withheld: unknown[]): Promise<number> {
    let files = 0
    zip.file(`${folder}messages.json`, JSON.stringify(messages, null, 2))
    for (const m of messages) {
      for (const a of m.attachments) {
        if (!SERVABLE_SCANS.has(a.scan)) {
          withheld.push({ attachmentId: a.id, messageId: m.id, filename: a.filename, scan: a.scan, virus: a.virus })
          continue
        }
        const content = await bytesOf(a.id)
        if (!content) continue
        zip.file(`${folder}attachments/${a.id}-${safeName(a.filename)}`, content)
        files++
      }
    }
    return files
  }

  /** What erasing `subject` touches; a contributor's work orders all go whole. */
  async function scopeOf(subject: Subject): Promise<ErasureScope> {
    if ('contributorId' in subject) {
      if (!(await repos.host.findContributor(subject.contributorId))) throw notFound('contributorNotFound', { id: subject.contributorId })
      const concerned = await repos.privacy.workOrderIdsByContributor(subject.contributorId)
      return { concerned, whole: concerned, messageIds: await repos.privacy.looseMessageIds(subject, concerned) }
    }
    const messages = await repos.privacy.messagesOfAddress(subject.email)
    const otherWorkOrderIds = await repos.privacy.workOrderIdsByEmail(subject.email)
    const concerned = concernedWorkOrders(messages, otherWorkOrderIds)
    const contributorOf = new Map((await repos.host.findWorkOrdersByIds(concerned)).map((w) => [w.id, w.contributorId]))
    return addressScope({
      address: subject.email,
      messages,
      otherWorkOrderIds,
      contributorOf,
      genericContributorId: await deps.genericContributorId(),
      correspondence: await repos.privacy.correspondenceOfWorkOrders(concerned)
    })
  }

  async function erase(subject: Subject, operator: Operator, now: Date): Promise<AnonymizeCounts> {
    const { concerned, whole, messageIds } = await scopeOf(subject)
    const refuse = async (key: 'erasureOpenRequest' | 'erasureRegister', params: Record<string, string | number>) => {
      await repos.audit.record(
        {
          actorType: 'operator',
          actorId: operator.id,
          actorName: operator.name,
          action: 'privacy.erasureRefused',
          details: { ...subject, reason: key, ...params }
        },
        now
      )
      return new HttpError(409, key, params)
    }
    const workOrders = await repos.host.findWorkOrdersByIds(concerned)
    const open = workOrders
      .filter((w) => w.status !== 'closed')
      .map((w) => w.id)
      .sort((a, b) => a - b)
    if (open.length > 0) throw await refuse('erasureOpenRequest', { ids: open.join(', ') })
    const metas = await repos.workOrderMeta.findByIds(concerned)
    const cutoff = registerCutoff(now)
    const kept = metas.filter((m) => new Date(m.receivedAt) >= cutoff).sort((a, b) => b.receivedAt.localeCompare(a.receivedAt))
    if (kept.length > 0) {
      throw await refuse('erasureRegister', {
        references: kept.map((m) => m.reference).join(', '),
        until: registerKeptUntil((kept[0] as { receivedAt: string }).receivedAt)
      })
    }
    const counts = await anonymizeWorkOrders(repos, storage, whole, now, messageIds)
    await repos.audit.record(
      { actorType: 'operator', actorId: operator.id, actorName: operator.name, action: 'privacy.erased', details: { ...subject, ...counts } },
      now
    )
    return counts
  }

  async function build(subject: Subject, operator: Operator, now: Date): Promise<ExportFile> {
    const byContributor = 'contributorId' in subject
    const contributor = byContributor ? await repos.host.findContributor(subject.contributorId) : null
    if (byContributor && !contributor) throw notFound('contributorNotFound', { id: subject.contributorId })
    const workOrderIds = byContributor
      ? await repos.privacy.workOrderIdsByContributor(subject.contributorId)
      : await repos.privacy.workOrderIdsByEmail(subject.email)
    const zip = new JSZip()
    const withheld: unknown[] = []
    let files = 0
    let messageCount = 0
    for (const id of workOrderIds) {
      const folder = `work-orders/${id}/`
      zip.file(`${folder}work-order.json`, JSON.stringify(await deps.workOrderView(id), null, 2))
      const messages = await deps.conversation(id)
      messageCount += messages.length
      files += await addMessages(zip, folder, messages, withheld)
      const intake = await repos.intakeRequests.find(id)
      if (intake) zip.file(`${folder}intake.json`, JSON.stringify(intake, null, 2))
      zip.file(`${folder}audit.json`, JSON.stringify(await repos.audit.listByWorkOrder(id), null, 2))
    }
    const looseIds = await repos.privacy.looseMessageIds(byContributor ? { contributorId: subject.contributorId } : { email: subject.email }, workOrderIds)
    const loose = (await Promise.all(looseIds.map((id) => deps.message(id)))).filter((m): m is Message => m !== null)
    messageCount += loose.length
    if (loose.length > 0) files += await addMessages(zip, 'other-messages/', loose, withheld)
    const manifest = {
      generatedAt: now.toISOString(),
      generatedBy: operator.name,
      subject,
      contributor,
      workOrderIds,
      messages: messageCount,
      files,
      withheld,
      note: 'Esportazione dei dati personali (GDPR artt. 15 e 20). I file infetti o non ancora controllati dall\'antivirus sono elencati in "withheld" e non inclusi.'
    }
    zip.file('manifest.json', JSON.stringify(manifest, null, 2))
    const content = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' })
    await repos.audit.record(
      {
        actorType: 'operator',
        actorId: operator.id,
        actorName: operator.name,
        action: 'privacy.exported',
        details: { ...subject, workOrders: workOrderIds.length, messages: messageCount, files, bytes: content.length }
      },
      now
    )
    const stamp = now.toISOString().slice(0, 10)
    const filename = byContributor ? `dati-contribuente-${subject.contributorId}-${stamp}.zip` : `dati-${safeName(subject.email)}-${stamp}.zip`
    return { filename, content }
  }

  return {
    exportContributor: (contributorId: number, operator: Operator, now = new Date()) => build({ contributorId }, operator, now),
    exportEmail: (email: string, operator: Operator, now = new Date()) => build({ email: validAddress(email) }, operator, now),
    /** Art. 17: removes the contributor's personal data from the module, unless the law requires keeping it. */
    eraseContributor: (contributorId: number, operator: Operator, now = new Date()) => erase({ contributorId }, operator, now),
    /** Art. 17 for an address, registered or not: see erasure-scope.ts for what goes. */
    eraseEmail: (email: string, operator: Operator, now = new Date()) => erase({ email: validAddress(email) }, operator, now)
  }
}

export type CitizenRights = ReturnType<typeof createCitizenRights>
