// Shapes the tab reads from the module's API. Type-only imports, but for two constant lists from leaf modules
// (no imports of their own), so nothing else of the server ends up in the bundle.
import { REQUEST_TYPE_CODES } from '../../src/domain/request-types.js'
import { WORK_ORDER_STATES, type Message, type Permission, type WorkOrderState } from '../../src/types.js'
import type { WorkOrderView } from '../../src/service.js'

export type { AttachmentSummary, Contributor, DeliveryStatus, Message, Permission, WorkOrderState } from '../../src/types.js'

/** The work order as GET /work-orders/:id returns it; the ARERA counters may not be there on every version. */
export interface WorkOrder extends WorkOrderView {
  daysLeft?: number | null
  typeLabel?: string | null
}

export interface Me {
  id: string
  name: string
  email: string | null
  permissions: Permission[]
}

export interface Conversation {
  items: Message[]
}

/** The work order states, in their order (src/types.ts). */
export const STATES: readonly WorkOrderState[] = WORK_ORDER_STATES

/** ARERA TQRIF request types, in the order operators see them (src/domain/request-types.ts, shared with the server). */
export const REQUEST_TYPES = REQUEST_TYPE_CODES
