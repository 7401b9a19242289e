// The spam list as operators use it: look, release a mail into the normal ingest, or block its sender or domain
// (blocked senders' later mail joins the list). Every decision is audited.
import { HttpError, notFound } from '../http-errors.js'
import type { IncomingMail, IngestResult } from '../mail/ingest/index.js'
import { rawFromBuffer } from '../mail/raw-source.js'
import type { Repositories } from '../repositories/index.js'
import type { BlockRule, SpamEntry } from '../repositories/spam.js'
import type { Operator } from '../types.js'

export type BlockScope = 'sender' | 'domain'

export interface ReleaseResult {
  entry: SpamEntry
  outcome: IngestResult['outcome']
  workOrderId: number | null
  messageId: number | null
}

/** `a@b.it` or `@b.it`, lower case; null when the text is neither. */
function normaliseBlockPattern(text: string): string | null {
  const value = text.trim().toLowerCase()
  if (/^@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/.test(value)) return value
  if (/^[^\s@<>"]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/.test(value) && value.length <= 320) return value
  return null
}

export function createSpamService(repos: Repositories, ingest: (incoming: IncomingMail) => Promise<IngestResult>) {
  const actor = (operator: Operator) => ({ actorType: 'operator' as const, actorId: operator.id, actorName: operator.name })

  async function find(id: number): Promise<SpamEntry> {
    return (await repos.spam.findById(id)) ?? Promise.reject(notFound('spamNotFound', { id }))
  }

  async function addRule(pattern: string, operator: Operator, spamId: number | null): Promise<BlockRule> {
    if ((await repos.spam.findBlockRule(pattern)) === pattern) throw new HttpError(409, 'blockRuleExists', { pattern })
    const id = await repos.spam.addBlockRule(pattern, operator.id, new Date())
    await repos.audit.record({ ...actor(operator), action: 'spam.blocked', details: { pattern, ruleId: id, spamId } })
    return (await repos.spam.listBlockRules()).find((r) => r.id === id) as BlockRule
  }

  return {
    async list(options: { limit?: number; includeReleased?: boolean } = {}): Promise<{ items: SpamEntry[]; total: number }> {
      const items = await repos.spam.list({ limit: options.limit ?? 100, includeReleased: options.includeReleased ?? false })
      return { items, total: await repos.spam.countOpen() }
    },

    get: find,

    /** Not spam after all: the mail goes through the normal ingest (work order, confirmation) as if just received. */
    async release(id: number, operator: Operator): Promise<ReleaseResult> {
      await find(id)
      if (!(await repos.spam.claimRelease(id, operator.id, new Date()))) throw new HttpError(409, 'spamAlreadyReleased', { id })
      try {
        const stored = await repos.spam.readRaw(id)
        if (!stored) throw notFound('spamNotFound', { id })
        const result = await ingest({ raw: rawFromBuffer(stored.raw), mailboxId: stored.mailboxId, receivedAt: stored.receivedAt, released: true })
        await repos.spam.recordRelease(id, result.messageId)
        await repos.audit.record({
          ...actor(operator),
          action: 'spam.released',
          workOrderId: result.workOrderId,
          messageId: result.messageId,
          details: { spamId: id, outcome: result.outcome }
        })
        return { entry: await find(id), outcome: result.outcome, workOrderId: result.workOrderId, messageId: result.messageId }
      } catch (err) {
        await repos.spam.revertRelease(id)
        throw err
      }
    },

    /** Blocks the sender of a spam entry, or its whole domain. */
    async blockSender(id: number, scope: BlockScope, operator: Operator): Promise<BlockRule> {
      const entry = await find(id)
      const address = entry.from ? normaliseBlockPattern(entry.from) : null
      if (!address) throw new HttpError(400, 'spamNoSender', { id })
      return addRule(scope === 'domain' ? address.slice(address.lastIndexOf('@')) : address, operator, id)
    },

    rules: () => repos.spam.listBlockRules(),

    async addRule(text: string, operator: Operator): Promise<BlockRule> {
      const pattern = normaliseBlockPattern(text)
      if (!pattern) throw new HttpError(400, 'blockRuleInvalid', { value: text.slice(0, 80) })
      return addRule(pattern, operator, null)
    },

    async removeRule(id: number, operator: Operator): Promise<void> {
      if (!(await repos.spam.removeBlockRule(id))) throw notFound('blockRuleNotFound', { id })
      await repos.audit.record({ ...actor(operator), action: 'spam.unblocked', details: { ruleId: id } })
    }
  }
}

export type SpamService = ReturnType<typeof createSpamService>
