// The operators' worklist without I/O: the queues, the Italian day a "new today" counts in, and the paging cursor
// (an opaque token holding the sort key and id of the last item shown, so a page never repeats or skips a row
// when rows are added in front of it).
import { addCalendarDays, romeDate, type IsoDate } from './working-days.js'

export const WORK_ORDER_QUEUES = ['to_answer', 'due_soon', 'overdue', 'new_today', 'unlinked_senders', 'failed_deliveries'] as const
/** Mail that opened no work order: only administrators see these lists. */
export const ADMIN_QUEUES = ['spam', 'quarantine'] as const
export const WORKLIST_QUEUES = [...WORK_ORDER_QUEUES, ...ADMIN_QUEUES] as const

export type WorkOrderQueue = (typeof WORK_ORDER_QUEUES)[number]
export type AdminQueue = (typeof ADMIN_QUEUES)[number]
export type WorklistQueue = (typeof WORKLIST_QUEUES)[number]
export type WorklistSort = 'due_date' | 'last_activity'

export const isAdminQueue = (queue: WorklistQueue): queue is AdminQueue => (ADMIN_QUEUES as readonly string[]).includes(queue)

/** The instant an Italian calendar day begins (00:00 in Europe/Rome, +1 or +2 from UTC by season). */
export function romeDayStart(day: IsoDate): Date {
  const utcMidnight = Date.parse(`${day}T00:00:00Z`)
  for (const hours of [2, 1, 0]) {
    const candidate = new Date(utcMidnight - hours * 3_600_000)
    if (romeDate(candidate) === day && romeDate(new Date(candidate.getTime() - 1)) !== day) return candidate
  }
  throw new RangeError(`No start found for ${day} in Europe/Rome`)
}

/** Today in Italy as [start, end) instants. */
export function romeDayBounds(now: Date): { day: IsoDate; start: Date; end: Date } {
  const day = romeDate(now)
  return { day, start: romeDayStart(day), end: romeDayStart(addCalendarDays(day, 1)) }
}

/**
 * Where the previous page stopped. `due` null: the due-date sort has passed every dated row and continues among
 * the undated ones (they come last on every database). `at` is the last activity (ISO) for that sort.
 */
export interface WorklistCursor {
  id: number
  due?: IsoDate | null
  at?: string
}

export function encodeCursor(cursor: WorklistCursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url')
}

/** null for anything that is not a cursor this module wrote (the route answers 400). */
export function decodeCursor(token: string): WorklistCursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))
    if (!value || typeof value !== 'object') return null
    const { id, due, at } = value as Record<string, unknown>
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return null
    if (due !== undefined && due !== null && (typeof due !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(due))) return null
    if (at !== undefined && (typeof at !== 'string' || Number.isNaN(Date.parse(at)))) return null
    return { id, ...(due !== undefined ? { due } : {}), ...(at !== undefined ? { at } : {}) }
  } catch {
    return null
  }
}
