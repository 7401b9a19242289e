// Search across every conversation: the service routes and host code call. The engine is the database's own
// (detected once), the query and the snippet are built by src/domain/search-text.ts, the same for every engine.
import { MIN_QUERY_LENGTH, parseSearchQuery, snippetOf } from '../domain/search-text.js'
import { HttpError } from '../http-errors.js'
import type { Repositories } from '../repositories/index.js'
import { MATCH_MODES, type SearchEngine, type SearchFilters } from '../repositories/search.js'
import type { Channel, WorkOrderState } from '../types.js'

export interface SearchRequest {
  q: string
  mailboxId?: number
  channel?: Channel
  type?: string
  status?: WorkOrderState
  /** First and last day (YYYY-MM-DD, Europe/Rome) the message was stored on. */
  from?: string
  to?: string
  limit?: number
  offset?: number
}

export interface SearchItem {
  id: number
  workOrderId: number | null
  subject: string | null
  /** HTML: the matched words in <mark>, everything else escaped. */
  snippet: string
  from: string | null
  direction: string
  channel: string
  createdAt: string | null
}

export interface SearchResult {
  items: SearchItem[]
  total: number
  limit: number
  offset: number
  engine: SearchEngine
}

const DEFAULT_LIMIT = 20

/** Midnight in Rome at the start of `isoDate` (+ `days`). */
function romeMidnight(isoDate: string, days = 0): Date {
  const noon = new Date(`${isoDate}T12:00:00Z`)
  noon.setUTCDate(noon.getUTCDate() + days)
  const day = noon.toISOString().slice(0, 10)
  const offset =
    new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Rome', timeZoneName: 'longOffset' })
      .formatToParts(noon)
      .find((p) => p.type === 'timeZoneName')
      ?.value.replace('GMT', '') || 'Z'
  return new Date(`${day}T00:00:00${offset}`)
}

export function createSearchService(repos: Repositories, forcedEngine?: SearchEngine) {
  let engine: Promise<SearchEngine> | null = forcedEngine ? Promise.resolve(forcedEngine) : null
  const currentEngine = () => (engine ??= repos.search.detectEngine())

  return {
    /** The engine this database searches with: fts5, postgres, mssql or like. */
    engine: currentEngine,

    async search(request: SearchRequest): Promise<SearchResult> {
      const q = request.q.trim()
      const terms = parseSearchQuery(q)
      if (q.length < MIN_QUERY_LENGTH || terms.length === 0) throw new HttpError(400, 'searchTooShort', { min: MIN_QUERY_LENGTH }, undefined, undefined, ['q'])
      const filters: SearchFilters = {
        mailboxId: request.mailboxId,
        channel: request.channel,
        type: request.type,
        status: request.status,
        since: request.from ? romeMidnight(request.from) : undefined,
        before: request.to ? romeMidnight(request.to, 1) : undefined
      }
      const limit = request.limit ?? DEFAULT_LIMIT
      const offset = request.offset ?? 0
      const used = await currentEngine()
      const { total, hits } = await repos.search.search(used, terms, filters, { limit, offset })
      const attachments = await repos.attachments.listByMessageIds(hits.map((h) => h.id))
      const items = hits.map((h): SearchItem => {
        const attachmentNames = attachments.filter((a) => a.messageId === h.id).map((a) => a.filename)
        return {
          id: h.id,
          workOrderId: h.workOrderId,
          subject: h.subject,
          snippet: snippetOf({ ...h, attachmentNames }, terms, MATCH_MODES[used]),
          from: h.from,
          direction: h.direction,
          channel: h.channel,
          createdAt: h.createdAt
        }
      })
      return { items, total, limit, offset, engine: used }
    }
  }
}
