// What GET /worklist and /worklist/counts answer (type-only imports: nothing of the server ends up in the bundle).
import type { WorklistCounts, WorklistItem, WorklistPage } from '../../src/worklist/service.js'
import type { WorklistQueue, WorklistSort } from '../../src/domain/worklist.js'

export type { WorklistCounts, WorklistItem, WorklistPage, WorklistQueue, WorklistSort }

export const QUEUES: readonly WorklistQueue[] = ['to_answer', 'due_soon', 'overdue', 'new_today', 'unlinked_senders', 'failed_deliveries', 'spam', 'quarantine']
export const CHANNELS = ['email', 'web', 'app'] as const

export interface WorklistFilters {
  text: string
  channel: string
  type: string
  status: string
  mailboxId: string
  sort: WorklistSort
}

/** The query string of a page or of the counts: empty filters are left out. */
export function worklistQuery(filters: WorklistFilters, extra: Record<string, string | number | undefined> = {}): string {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries({
    ...extra,
    text: filters.text.trim(),
    channel: filters.channel,
    type: filters.type,
    status: filters.status,
    mailboxId: filters.mailboxId
  })) {
    if (value !== undefined && value !== '') params.set(name, String(value))
  }
  return params.toString()
}

/** The host's work-order page for an id: `{id}` in the template is replaced (URL-encoded). */
export const workOrderUrl = (template: string, id: number) => template.replace(/\{id\}/g, encodeURIComponent(String(id)))
