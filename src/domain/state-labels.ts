// How each work order state reads, in one place. Two sets because Italian agrees the adjective with the noun:
// operators read about the work order ("ordine di lavoro": aperto, chiuso), citizens about their request
// ("richiesta": aperta, chiusa).
import type { Locale } from '../i18n.js'
import type { WorkOrderState } from '../types.js'

/** The work order's state as operators read it (timeline notes, the conversation document). */
export const WORK_ORDER_STATE_LABELS: Readonly<Record<Locale, Readonly<Record<WorkOrderState, string>>>> = {
  it: { open: 'Aperto', in_progress: 'In lavorazione', waiting: 'In attesa', closed: 'Chiuso' },
  en: { open: 'Open', in_progress: 'In progress', waiting: 'Waiting', closed: 'Closed' }
}

/** The state of a citizen's request as the citizen reads it (status page, update mail, Open311). */
const REQUEST_STATE_LABELS: Readonly<Record<Locale, Readonly<Record<WorkOrderState, string>>>> = {
  it: { open: 'Aperta', in_progress: 'In lavorazione', waiting: 'In attesa', closed: 'Chiusa' },
  en: { open: 'Open', in_progress: 'In progress', waiting: 'Waiting', closed: 'Closed' }
}

/** A citizen-facing label; a status the module does not know (a host's own) reads as it is spelled. */
export function requestStateLabel(status: string, locale: Locale): string {
  return (REQUEST_STATE_LABELS[locale] as Readonly<Record<string, string>>)[status] ?? status
}
