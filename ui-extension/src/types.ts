// Shapes the tab reads from the module's API (type-only imports: nothing of the server ends up in the bundle).
import type { Message, Permission, WorkOrderState } from '../../src/types.js'
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

export const STATES: readonly WorkOrderState[] = ['open', 'in_progress', 'waiting', 'closed']

/** ARERA TQRIF request types, in the order operators see them (src/domain/arera.ts). */
export const REQUEST_TYPES = [
  'reclamo_scritto',
  'richiesta_informazioni',
  'rettifica_importi',
  'segnalazione_disservizio',
  'ritiro_su_chiamata',
  'riparazione_attrezzature',
  'attivazione_variazione_cessazione',
  'altro'
] as const
