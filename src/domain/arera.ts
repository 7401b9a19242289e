// ARERA TQRIF (delibera 15/2022/R/rif, Allegato A) request types, time standards, regulatory schemes and
// miss causes, plus a keyword classifier that suggests a request type to the operator.
//
// Pure code: no I/O, no clock. Article numbers refer to the TQRIF text as adopted in January 2022; where we
// are not sure of a number or a figure the comment says "to verify" — every figure is configurable because
// the Ente territorialmente competente may set better (shorter) standards in the service quality charter.
import type { Locale } from '../i18n.js'
import { romeDate, type IsoDate, type WorkingCalendar } from './working-days.js'

/** A user-facing label in Italian (default) and English. */
export type Label = Readonly<Record<Locale, string>>

// ---------------------------------------------------------------------------------------------------
// Request types.

/** Codes of the request types the module tracks, in the order shown to operators. */
export const REQUEST_TYPE_CODES = [
  'reclamo_scritto',
  'richiesta_informazioni',
  'rettifica_importi',
  'segnalazione_disservizio',
  'ritiro_su_chiamata',
  'riparazione_attrezzature',
  'attivazione_variazione_cessazione',
  'altro'
] as const

export type RequestType = (typeof REQUEST_TYPE_CODES)[number]

export interface RequestTypeInfo {
  type: RequestType
  label: Label
}

/**
 * The request types with their labels. TQRIF art. 13 classifies written requests as complaints, information
 * requests and billing-correction requests; the other types are the service requests for which TQRIF also sets
 * times (activation/change/termination, on-call collection, equipment repair, service-failure reports).
 */
export const REQUEST_TYPES: readonly RequestTypeInfo[] = Object.freeze([
  { type: 'reclamo_scritto', label: { it: 'Reclamo scritto', en: 'Written complaint' } },
  { type: 'richiesta_informazioni', label: { it: 'Richiesta scritta di informazioni', en: 'Written information request' } },
  {
    type: 'rettifica_importi',
    label: { it: 'Richiesta di rettifica degli importi addebitati', en: 'Billing-correction request' }
  },
  { type: 'segnalazione_disservizio', label: { it: 'Segnalazione di disservizio', en: 'Service-failure report' } },
  { type: 'ritiro_su_chiamata', label: { it: 'Ritiro su chiamata', en: 'On-call collection' } },
  {
    type: 'riparazione_attrezzature',
    label: { it: 'Riparazione delle attrezzature per la raccolta', en: 'Repair of collection equipment' }
  },
  {
    type: 'attivazione_variazione_cessazione',
    label: { it: 'Attivazione, variazione o cessazione del servizio', en: 'Service activation, change or termination' }
  },
  { type: 'altro', label: { it: 'Altro', en: 'Other' } }
] satisfies RequestTypeInfo[])

const REQUEST_TYPE_SET: ReadonlySet<string> = new Set(REQUEST_TYPE_CODES)

/** Type guard for values coming from forms, query strings and the database. */
export function isRequestType(value: unknown): value is RequestType {
  return typeof value === 'string' && REQUEST_TYPE_SET.has(value)
}

/** The label of a request type in a locale (Italian by default). */
export function requestTypeLabel(type: RequestType, locale: Locale = 'it'): string {
  const info = REQUEST_TYPES.find((r) => r.type === type)
  if (!info) throw new RangeError(`Unknown request type "${String(type)}"`)
  return info.label[locale]
}

// ---------------------------------------------------------------------------------------------------
// Time standards.

/** The maximum time, in working days from receipt, for the operator's reply or service; null = no standard. */
export interface Standard {
  type: RequestType
  workingDays: number | null
  /** What is measured, e.g. 'Tempo di risposta motivata ai reclami scritti'. */
  label: Label
  /** Where the standard comes from, e.g. 'TQRIF art. 14'; null when none applies. */
  article: string | null
}

export type Standards = Readonly<Record<RequestType, Standard>>

/**
 * Default TQRIF standards. Time is measured from the day the operator receives the request to the day it sends
 * the reply (or performs the service), in working days: see `WorkingCalendar.addWorkingDays`.
 */
export const DEFAULT_STANDARDS: Standards = Object.freeze({
  // TQRIF art. 14: risposta motivata ai reclami scritti, 30 working days.
  reclamo_scritto: {
    type: 'reclamo_scritto',
    workingDays: 30,
    label: { it: 'Tempo di risposta motivata ai reclami scritti', en: 'Reasoned reply to written complaints' },
    article: 'TQRIF art. 14'
  },
  // TQRIF art. 15: risposta motivata alle richieste scritte di informazioni, 30 working days.
  richiesta_informazioni: {
    type: 'richiesta_informazioni',
    workingDays: 30,
    label: {
      it: 'Tempo di risposta motivata alle richieste scritte di informazioni',
      en: 'Reasoned reply to written information requests'
    },
    article: 'TQRIF art. 15'
  },
  // TQRIF art. 16 (article number to verify): risposta motivata alle richieste scritte di rettifica degli
  // importi addebitati, 60 working days. The refund of amounts found not due is a separate clock
  // (CREDIT_REFUND_WORKING_DAYS below).
  rettifica_importi: {
    type: 'rettifica_importi',
    workingDays: 60,
    label: {
      it: 'Tempo di risposta motivata alle richieste scritte di rettifica degli importi addebitati',
      en: 'Reasoned reply to billing-correction requests'
    },
    article: 'TQRIF art. 16'
  },
  // TQRIF has a "tempo di intervento in caso di segnalazioni per disservizi" (art. 33, to verify; we recall
  // 5 working days without an on-site inspection, 10 with one — to verify). Off by default because a report
  // is often handled as a complaint or routed to field operations; configure it per operator.
  segnalazione_disservizio: {
    type: 'segnalazione_disservizio',
    workingDays: null,
    label: { it: 'Tempo di intervento per segnalazioni di disservizio', en: 'Response time to service-failure reports' },
    article: null
  },
  // TQRIF art. 31 (article number to verify; the service itself is arts. 29-30): tempo di ritiro dei rifiuti
  // su chiamata, 15 working days.
  ritiro_su_chiamata: {
    type: 'ritiro_su_chiamata',
    workingDays: 15,
    label: { it: 'Tempo di ritiro dei rifiuti su chiamata', en: 'On-call collection time' },
    article: 'TQRIF art. 31'
  },
  // TQRIF art. 34 (article number to verify; obligations in art. 32): tempo di riparazione delle attrezzature
  // per la raccolta domiciliare, 10 working days without an on-site inspection (15 with one — to verify; the
  // module tracks the shorter one by default).
  riparazione_attrezzature: {
    type: 'riparazione_attrezzature',
    workingDays: 10,
    label: {
      it: 'Tempo di riparazione delle attrezzature per la raccolta domiciliare (senza sopralluogo)',
      en: 'Repair time of home-collection equipment (without site inspection)'
    },
    article: 'TQRIF art. 34'
  },
  // TQRIF art. 8 (attivazione) and art. 12 (variazione o cessazione): reply within 30 working days.
  attivazione_variazione_cessazione: {
    type: 'attivazione_variazione_cessazione',
    workingDays: 30,
    label: {
      it: 'Tempo di risposta alle richieste di attivazione, variazione o cessazione del servizio',
      en: 'Reply to service activation, change or termination requests'
    },
    article: 'TQRIF artt. 8, 12'
  },
  altro: {
    type: 'altro',
    workingDays: null,
    label: { it: 'Nessuno standard', en: 'No standard' },
    article: null
  }
} satisfies Record<RequestType, Standard>)

/**
 * Refund of amounts found not due, after a billing correction: 120 working days (TQRIF art. 28.3 — number and
 * figure to verify). Exported for the billing integration; not a request type of its own.
 */
export const CREDIT_REFUND_WORKING_DAYS = 120

/**
 * Forwarding a complaint to the competent operator when collection and billing are run by different operators:
 * 5 working days (TQRIF, article to verify).
 */
export const INTER_OPERATOR_FORWARD_WORKING_DAYS = 5

/** An override: a bare number (or null to switch the standard off) or some fields of the standard. */
export type StandardOverride = number | null | Partial<Omit<Standard, 'type'>>

export type StandardOverrides = Partial<Record<RequestType, StandardOverride>>

function checkWorkingDays(type: string, value: unknown): number | null {
  if (value === null) return null
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new RangeError(`Standard for "${type}": workingDays must be a non-negative integer or null, got ${String(value)}`)
  }
  return value
}

/**
 * The standards in effect for an operator: the defaults with the operator's overrides merged in (the Ente
 * territorialmente competente may approve better standards in the quality charter). Unknown types and
 * invalid values throw, so a typo in the configuration is found at start-up, not at the first deadline.
 */
export function resolveStandards(overrides: StandardOverrides = {}, base: Standards = DEFAULT_STANDARDS): Standards {
  for (const key of Object.keys(overrides)) {
    if (!isRequestType(key)) throw new RangeError(`Unknown request type in standards: "${key}"`)
  }
  const result = {} as Record<RequestType, Standard>
  for (const type of REQUEST_TYPE_CODES) {
    const current = base[type]
    const override = overrides[type]
    let merged: Standard
    if (override === undefined) merged = { ...current }
    else if (override === null || typeof override === 'number') {
      merged = { ...current, workingDays: checkWorkingDays(type, override) }
    } else {
      merged = {
        type,
        workingDays: override.workingDays === undefined ? current.workingDays : checkWorkingDays(type, override.workingDays),
        label: override.label ? { ...current.label, ...override.label } : current.label,
        article: override.article === undefined ? current.article : override.article
      }
    }
    result[type] = Object.freeze(merged)
  }
  return Object.freeze(result)
}

/**
 * The ARERA due date of a request, or null when its type has no standard. The receipt date is the calendar
 * day in Europe/Rome of `receivedAt` (for email, the mailbox's internal date), and that day is day 0.
 */
export function dueDate(
  calendar: WorkingCalendar,
  type: RequestType,
  receivedAt: Date,
  standards: Standards = DEFAULT_STANDARDS
): IsoDate | null {
  const standard = standards[type]
  if (!standard) throw new RangeError(`Unknown request type "${String(type)}"`)
  if (standard.workingDays === null) return null
  return calendar.addWorkingDays(romeDate(receivedAt), standard.workingDays)
}

/**
 * The regulatory time actually taken: working days from the receipt day (excluded) to the reply day
 * (included), both reckoned in Europe/Rome. A request meets a standard of n days when this is <= n.
 */
export function elapsedWorkingDays(calendar: WorkingCalendar, receivedAt: Date, repliedAt: Date): number {
  return calendar.workingDaysBetween(romeDate(receivedAt), romeDate(repliedAt))
}

// ---------------------------------------------------------------------------------------------------
// Regulatory schemes and miss causes.

export type RegulatorySchemeId = 'I' | 'II' | 'III' | 'IV'

export interface RegulatoryScheme {
  id: RegulatorySchemeId
  label: Label
  /**
   * Minimum share (percent) of requests that must meet the general standards in a year; null when the scheme
   * sets no general standards (Schema I only has service obligations).
   */
  minimumCompliancePercent: number | null
}

/**
 * TQRIF art. 3 regulatory schemes; the Ente territorialmente competente places each operator in one. The
 * percentages come from TQRIF Appendix I, Table 2: Schema III = 70 % is the one we are confident about;
 * Schema I = none (TQRIF art. 58.2: no general quality levels); Schema II = 70 % and Schema IV = 90 % are
 * defaults to verify. Configure them with `resolveRegulatorySchemes`.
 */
export const REGULATORY_SCHEMES: readonly RegulatoryScheme[] = Object.freeze([
  {
    id: 'I',
    label: { it: 'Schema I – livello qualitativo minimo', en: 'Scheme I – minimum quality level' },
    minimumCompliancePercent: null
  },
  // to verify
  { id: 'II', label: { it: 'Schema II', en: 'Scheme II' }, minimumCompliancePercent: 70 },
  { id: 'III', label: { it: 'Schema III', en: 'Scheme III' }, minimumCompliancePercent: 70 },
  // to verify
  {
    id: 'IV',
    label: { it: 'Schema IV – livello qualitativo avanzato', en: 'Scheme IV – advanced quality level' },
    minimumCompliancePercent: 90
  }
] satisfies RegulatoryScheme[])

/** The schemes with the operator's minimum compliance percentages merged in (0..100, or null for none). */
export function resolveRegulatorySchemes(
  overrides: Partial<Record<RegulatorySchemeId, number | null>> = {}
): readonly RegulatoryScheme[] {
  for (const [key, value] of Object.entries(overrides)) {
    if (!REGULATORY_SCHEMES.some((s) => s.id === key)) throw new RangeError(`Unknown regulatory scheme "${key}"`)
    if (value !== null && (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100)) {
      throw new RangeError(`Scheme ${key}: minimum compliance must be a percentage 0..100 or null, got ${String(value)}`)
    }
  }
  return Object.freeze(
    REGULATORY_SCHEMES.map((s) => {
      const value = overrides[s.id]
      return Object.freeze({ ...s, minimumCompliancePercent: value === undefined ? s.minimumCompliancePercent : value })
    })
  )
}

export type MissCause = 'forza_maggiore' | 'utente_o_terzi' | 'gestore'

/**
 * Causes of a missed standard (TQRIF art. 55.1), recorded in the register for every miss and reported yearly
 * by cause (art. 58.3). Only misses caused by the operator are the operator's fault.
 */
export const MISS_CAUSES: ReadonlyArray<{ cause: MissCause; label: Label }> = Object.freeze([
  { cause: 'forza_maggiore', label: { it: 'Cause di forza maggiore', en: 'Force majeure' } },
  { cause: 'utente_o_terzi', label: { it: "Cause imputabili all'utente o a terzi", en: 'Caused by the user or third parties' } },
  { cause: 'gestore', label: { it: 'Cause imputabili al gestore', en: 'Caused by the operator' } }
] satisfies Array<{ cause: MissCause; label: Label }>)

export function isMissCause(value: unknown): value is MissCause {
  return typeof value === 'string' && MISS_CAUSES.some((c) => c.cause === value)
}

// ---------------------------------------------------------------------------------------------------
// Request-type suggestion.

export interface RequestTypeSuggestion {
  type: RequestType
  /** 'high' when one type clearly wins; 'low' means the operator should check (prudential default). */
  confidence: 'high' | 'low'
  /** The keywords found (as written in the keyword lists), best type's first. */
  matched: string[]
}

// Keywords are written without accents and in lower case. A trailing '*' matches any word ending
// ('rimbors*' → rimborso, rimborsi, rimborsare). Phrases (more than one word) weigh 2, single words 1.
const KEYWORDS: Readonly<Record<Exclude<RequestType, 'altro'>, readonly string[]>> = {
  rettifica_importi: [
    'rettifica', 'rettificare', 'rettificat*', 'rimbors*', 'importo errato', 'importi errati', 'importo sbagliato',
    'importo non corretto', 'doppio addebito', 'doppio pagamento', 'pagato due volte', 'addebitato due volte',
    'bolletta sbagliata', 'bolletta errata', 'fattura errata', 'avviso di pagamento errato', 'non dovut*',
    'ricalcolo', 'ricalcolare', 'sgravio', 'nota di credito', 'superficie errata', 'metratura errata', 'conguaglio'
  ],
  richiesta_informazioni: [
    'informazione', 'informazioni', 'vorrei sapere', 'vorrei conoscere', 'vorrei capire', 'come posso', 'come faccio',
    'come si fa', 'orari', 'orario', 'calendario', 'quando passa', 'dove posso', 'dove si trova', 'chiarimento',
    'chiarimenti', 'delucidazion*', 'quali sono', 'e possibile sapere'
  ],
  ritiro_su_chiamata: [
    'ritiro ingombranti', 'ritiro degli ingombranti', 'ingombrant*', 'ritiro su chiamata', 'ritiro a domicilio',
    'prenotare il ritiro', 'prenotare un ritiro', 'prenotazione del ritiro', 'prenotazione ritiro', 'sfalc*',
    'potature', 'raee', 'elettrodomestic*', 'materasso', 'materassi', 'divano'
  ],
  riparazione_attrezzature: [
    'bidone rotto', 'bidone danneggiato', 'contenitore rotto', 'contenitore danneggiato', 'cassonetto rotto',
    'mastello', 'mastelli', 'sostituzione', 'sostituire', 'riparazione', 'riparare', 'coperchio', 'carrellato',
    'ruota', 'rotto', 'rotta', 'danneggiato', 'danneggiata'
  ],
  attivazione_variazione_cessazione: [
    'attivazion*', 'attivare', 'cessazion*', 'cessare', 'voltura', 'trasloco', 'traslocat*', 'subentro', 'subentrare',
    'variazion*', 'nuova utenza', 'chiusura utenza', 'chiudere l utenza', 'cambio di residenza', 'cambio residenza',
    'intestazione', 'disdetta'
  ],
  segnalazione_disservizio: [
    'abbandonat*', 'non e passato', 'non sono passati', 'non e stato raccolto', 'non e stata raccolta',
    'non sono stati raccolti', 'mancata raccolta', 'mancato ritiro', 'mancato svuotamento', 'non svuotat*',
    'sporco', 'sporca', 'sporcizia', 'spazzamento', 'spazzatrice', 'cassonetto pieno', 'cassonetti pieni',
    'stracolm*', 'traboccant*', 'discarica abusiva', 'puzza', 'cattivo odore', 'lavaggio strade'
  ],
  reclamo_scritto: [
    'reclamo', 'reclami', 'reclamare', 'lamentela', 'lamentele', 'mi lamento', 'protesto', 'protesta',
    'inaccettabile', 'vergogna', 'vergognoso', 'scandaloso', 'indecente', 'disservizio grave', 'esposto', 'diffida',
    'risarcimento', 'insoddisfatt*'
  ]
}

// The explicit word wins: whoever writes "reclamo" is filing a complaint, whatever else the text says.
const EXPLICIT_COMPLAINT = new Set(['reclamo', 'reclami', 'reclamare'])

/** Lower case, accents removed, typographic apostrophes and punctuation turned into spaces. */
function normalize(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

interface CompiledKeyword {
  keyword: string
  weight: number
  pattern: RegExp
}

function compile(keyword: string): CompiledKeyword {
  const stem = keyword.endsWith('*')
  const body = normalize(stem ? keyword.slice(0, -1) : keyword)
  const words = body.split(' ').map(escapeRegExp).join(' ')
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])${words}${stem ? '\\p{L}*' : ''}(?![\\p{L}\\p{N}])`, 'u')
  return { keyword, weight: body.includes(' ') ? 2 : 1, pattern }
}

const COMPILED: ReadonlyArray<[Exclude<RequestType, 'altro'>, CompiledKeyword[]]> = Object.entries(KEYWORDS).map(
  ([type, list]) => [type as Exclude<RequestType, 'altro'>, list.map(compile)]
)

/**
 * Suggest a request type for a citizen's written contact from Italian keywords (case- and accent-insensitive,
 * whole words). The operator confirms or changes it; the suggestion only saves a click.
 *
 * Rules, in order:
 * 1. the explicit word "reclamo" (or "reclami", "reclamare") makes it a reclamo_scritto with high confidence;
 * 2. otherwise the type with the highest score wins (phrases weigh 2, words 1): confidence is high from a score
 *    of 2 up, low below;
 * 3. no match or a tie at the top: reclamo_scritto with low confidence — TQRIF's prudential rule treats a
 *    written communication that cannot easily be classified as a complaint, so the stricter clock applies.
 */
export function suggestRequestType(subject: string, text: string): RequestTypeSuggestion {
  const haystack = normalize(`${subject ?? ''}\n${text ?? ''}`)
  const scores: Array<{ type: Exclude<RequestType, 'altro'>; score: number; matched: string[] }> = []
  let explicit = false
  for (const [type, keywords] of COMPILED) {
    let score = 0
    const matched: string[] = []
    for (const k of keywords) {
      if (!k.pattern.test(haystack)) continue
      score += k.weight
      matched.push(k.keyword)
      if (type === 'reclamo_scritto' && EXPLICIT_COMPLAINT.has(k.keyword)) explicit = true
    }
    if (score > 0) scores.push({ type, score, matched })
  }
  scores.sort((a, b) => b.score - a.score)
  const allMatched = (first: RequestType): string[] => {
    const head = scores.find((s) => s.type === first)?.matched ?? []
    return [...head, ...scores.filter((s) => s.type !== first).flatMap((s) => s.matched)]
  }
  if (explicit) return { type: 'reclamo_scritto', confidence: 'high', matched: allMatched('reclamo_scritto') }
  const best = scores[0]
  const second = scores[1]
  if (!best || (second && second.score === best.score)) {
    return { type: 'reclamo_scritto', confidence: 'low', matched: allMatched('reclamo_scritto') }
  }
  return { type: best.type, confidence: best.score >= 2 ? 'high' : 'low', matched: allMatched(best.type) }
}

// ---------------------------------------------------------------------------------------------------
// Services a request concerns.

export type ServiceCode = 'raccolta_trasporto' | 'spazzamento_lavaggio' | 'tariffe_rapporto_utenti'

/**
 * The three services TQRIF names (the complaint form asks which one a complaint concerns): collection and
 * transport, street sweeping and washing, tariff management and user relations.
 */
export const SERVICES: ReadonlyArray<{ code: ServiceCode; label: Label }> = Object.freeze([
  { code: 'raccolta_trasporto', label: { it: 'Raccolta e trasporto', en: 'Collection and transport' } },
  { code: 'spazzamento_lavaggio', label: { it: 'Spazzamento e lavaggio delle strade', en: 'Street sweeping and washing' } },
  { code: 'tariffe_rapporto_utenti', label: { it: 'Gestione delle tariffe e rapporto con gli utenti', en: 'Tariff management and user relations' } }
] satisfies Array<{ code: ServiceCode; label: Label }>)

export function isServiceCode(value: unknown): value is ServiceCode {
  return typeof value === 'string' && SERVICES.some((s) => s.code === value)
}

/** The label of a service code; an unknown code (written by another channel) is shown as it is. */
export function serviceLabel(code: string, locale: Locale = 'it'): string {
  return SERVICES.find((s) => s.code === code)?.label[locale] ?? code
}
