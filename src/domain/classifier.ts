// The suggestion of how to classify a citizen's written communication (TQRIF art. 13) and which second clock
// it calls for. Pure code. The suggestion explains itself (the words found and the rule applied); the operator
// confirms or changes it, and every change is audited by the service.
import type { Label, RequestType } from './arera.js'
import type { StandardCode } from './standards.js'

/** Which rule decided the suggestion, in the order they are tried. */
export type SuggestionRule =
  /** the explicit word "reclamo": a written complaint */
  | 'explicit_complaint'
  /** a reported service failure, or words of dissatisfaction: a written complaint */
  | 'failure_or_dissatisfaction'
  /** information or billing-correction words clearly win */
  | 'best_score'
  /** the request only asks for a service: that service's standard is its clock */
  | 'service_request'
  /** nothing clear: a written complaint (the prudential rule of TQRIF art. 13) */
  | 'prudential'

export interface ServiceClockSuggestion {
  type: StandardCode
  matched: string[]
}

export interface RequestTypeSuggestion {
  type: RequestType
  /** 'high' when one type clearly wins; 'low' means the operator should check (prudential default). */
  confidence: 'high' | 'low'
  /** The keywords found (as written in the keyword lists), best type's first. */
  matched: string[]
  rule: SuggestionRule
  /** The second clock the message calls for (the service it also asks for); null when none. */
  service: ServiceClockSuggestion | null
  /** One sentence for the operator: which words, which rule. */
  explanation: Label
}

// Keywords are written without accents and in lower case. A trailing '*' matches any word ending
// ('rimbors*' → rimborso, rimborsi, rimborsare). Phrases (more than one word) weigh 2, single words 1.
type Keyed = Exclude<RequestType, 'altro'> | 'consegna_attrezzature' | 'intervento'

const KEYWORDS: Readonly<Record<Keyed, readonly string[]>> = {
  consegna_attrezzature: [
    'consegna dei mastelli',
    'consegna del mastello',
    'consegna dei bidoni',
    'consegna del bidone',
    'consegna dei sacchi',
    'consegna del kit',
    'nuovo mastello',
    'nuovi mastelli',
    'nuovo bidone',
    'kit per la raccolta'
  ],
  // A request for an intervention: with a service-failure report it starts the intervention clock.
  intervento: ['intervento', 'interventi', 'intervenire', 'chiedo di intervenire', 'sollecit*'],
  rettifica_importi: [
    'rettifica',
    'rettificare',
    'rettificat*',
    'rimbors*',
    'importo errato',
    'importi errati',
    'importo sbagliato',
    'importo non corretto',
    'doppio addebito',
    'doppio pagamento',
    'pagato due volte',
    'addebitato due volte',
    'bolletta sbagliata',
    'bolletta errata',
    'fattura errata',
    'avviso di pagamento errato',
    'non dovut*',
    'ricalcolo',
    'ricalcolare',
    'sgravio',
    'nota di credito',
    'superficie errata',
    'metratura errata',
    'conguaglio'
  ],
  richiesta_informazioni: [
    'informazione',
    'informazioni',
    'vorrei sapere',
    'vorrei conoscere',
    'vorrei capire',
    'come posso',
    'come faccio',
    'come si fa',
    'orari',
    'orario',
    'calendario',
    'quando passa',
    'dove posso',
    'dove si trova',
    'chiarimento',
    'chiarimenti',
    'delucidazion*',
    'quali sono',
    'e possibile sapere'
  ],
  ritiro_su_chiamata: [
    'ritiro ingombranti',
    'ritiro degli ingombranti',
    'ingombrant*',
    'ritiro su chiamata',
    'ritiro a domicilio',
    'prenotare il ritiro',
    'prenotare un ritiro',
    'prenotazione del ritiro',
    'prenotazione ritiro',
    'sfalc*',
    'potature',
    'raee',
    'elettrodomestic*',
    'materasso',
    'materassi',
    'divano'
  ],
  riparazione_attrezzature: [
    'bidone rotto',
    'bidone danneggiato',
    'contenitore rotto',
    'contenitore danneggiato',
    'cassonetto rotto',
    'mastello',
    'mastelli',
    'sostituzione',
    'sostituire',
    'riparazione',
    'riparare',
    'coperchio',
    'carrellato',
    'ruota',
    'rotto',
    'rotta',
    'danneggiato',
    'danneggiata'
  ],
  attivazione_variazione_cessazione: [
    'attivazion*',
    'attivare',
    'cessazion*',
    'cessare',
    'voltura',
    'trasloco',
    'traslocat*',
    'subentro',
    'subentrare',
    'variazion*',
    'nuova utenza',
    'chiusura utenza',
    'chiudere l utenza',
    'cambio di residenza',
    'cambio residenza',
    'intestazione',
    'disdetta'
  ],
  segnalazione_disservizio: [
    'abbandonat*',
    'non e passato',
    'non sono passati',
    'non e stato raccolto',
    'non e stata raccolta',
    'non sono stati raccolti',
    'mancata raccolta',
    'mancato ritiro',
    'mancato svuotamento',
    'non svuotat*',
    'non viene svuotat*',
    'non vengono svuotat*',
    'non e stato svuotat*',
    'non viene raccolt*',
    'non viene svolto',
    'sporco',
    'sporca',
    'sporcizia',
    'spazzamento',
    'spazzatrice',
    'cassonetto pieno',
    'cassonetti pieni',
    'stracolm*',
    'traboccant*',
    'discarica abusiva',
    'puzza',
    'cattivo odore',
    'lavaggio strade'
  ],
  reclamo_scritto: [
    'reclamo',
    'reclami',
    'reclamare',
    'lamentela',
    'lamentele',
    'mi lamento',
    'protesto',
    'protesta',
    'inaccettabile',
    'vergogna',
    'vergognoso',
    'scandaloso',
    'indecente',
    'disservizio grave',
    'esposto',
    'diffida',
    'risarcimento',
    'insoddisfatt*'
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

const COMPILED: ReadonlyArray<[Keyed, CompiledKeyword[]]> = Object.entries(KEYWORDS).map(([type, list]) => [type as Keyed, list.map(compile)])

/** Services a request may ask for, strongest claim first on equal scores. */
const SERVICE_KEYS: readonly Keyed[] = ['riparazione_attrezzature', 'ritiro_su_chiamata', 'consegna_attrezzature', 'attivazione_variazione_cessazione']

interface Score {
  type: Keyed
  score: number
  matched: string[]
}

function quote(words: readonly string[]): string {
  return words.map((w) => `"${w}"`).join(', ')
}

function explain(rule: SuggestionRule, matched: readonly string[], service: ServiceClockSuggestion | null): Label {
  const it: Record<SuggestionRule, string> = {
    explicit_complaint: 'Il testo usa la parola «reclamo»: è un reclamo scritto (TQRIF art. 13).',
    failure_or_dissatisfaction: 'Chi segnala un disservizio o esprime insoddisfazione presenta un reclamo scritto (TQRIF art. 13): risposta motivata.',
    best_score: 'Le parole trovate indicano chiaramente questo tipo di richiesta scritta (TQRIF art. 13).',
    service_request: 'La richiesta chiede solo un servizio: vale lo standard di quel servizio.',
    prudential: 'Il testo non permette una classificazione chiara: si tratta come reclamo scritto (regola prudenziale, TQRIF art. 13).'
  }
  const en: Record<SuggestionRule, string> = {
    explicit_complaint: 'The text uses the word "reclamo": a written complaint (TQRIF art. 13).',
    failure_or_dissatisfaction: 'Reporting a service failure or expressing dissatisfaction is a written complaint (TQRIF art. 13): reasoned reply.',
    best_score: 'The words found clearly point to this kind of written request (TQRIF art. 13).',
    service_request: "The request only asks for a service: that service's standard applies.",
    prudential: 'The text cannot easily be classified: it is treated as a written complaint (prudential rule, TQRIF art. 13).'
  }
  const words =
    matched.length === 0
      ? { it: 'Nessuna parola chiave trovata.', en: 'No keyword found.' }
      : { it: `Parole trovate: ${quote(matched)}.`, en: `Words found: ${quote(matched)}.` }
  const second = service
    ? {
        it: ` Chiede anche un servizio (${quote(service.matched)}): secondo termine da confermare.`,
        en: ` It also asks for a service (${quote(service.matched)}): a second clock to confirm.`
      }
    : { it: '', en: '' }
  return { it: `${words.it} ${it[rule]}${second.it}`, en: `${words.en} ${en[rule]}${second.en}` }
}

/**
 * Suggest how to classify a citizen's written contact from Italian keywords (case- and accent-insensitive, whole
 * words), and the second clock it calls for. The operator confirms or changes it; the suggestion only saves a
 * click.
 *
 * Rules, in order:
 * 1. the explicit word "reclamo" (or "reclami", "reclamare"): reclamo_scritto, high confidence;
 * 2. a reported service failure or words of dissatisfaction: reclamo_scritto (TQRIF art. 13: a written message
 *    that reports a failure and expresses dissatisfaction is a complaint), high from a score of 2;
 * 3. information or billing-correction words with the highest score: that type (high from a score of 2);
 * 4. a request that only asks for a service (repair, on-call collection, equipment, activation/change): that
 *    service's type, whose standard is its clock;
 * 5. no match or a tie at the top: reclamo_scritto with low confidence (the prudential rule).
 * The second clock: the service asked for next to a complaint, information or billing request; the
 * intervention on a service-failure report (with or without the word "intervento").
 */
export function suggestRequestType(subject: string, text: string): RequestTypeSuggestion {
  const haystack = normalize(`${subject ?? ''}\n${text ?? ''}`)
  const scores: Score[] = []
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
  const of = (type: Keyed) => scores.find((s) => s.type === type)
  const failure = of('segnalazione_disservizio')
  const intervention = of('intervento')
  const bestService = scores.find((s) => SERVICE_KEYS.includes(s.type))
  // The service asked for: a named one (repair, collection, …) or, on a failure report, the intervention.
  const service: ServiceClockSuggestion | null = bestService
    ? { type: bestService.type as StandardCode, matched: bestService.matched }
    : failure
      ? { type: 'segnalazione_disservizio', matched: [...failure.matched, ...(intervention?.matched ?? [])] }
      : null
  const allMatched = (first: Keyed): string[] => {
    const head = of(first)?.matched ?? []
    return [...head, ...scores.filter((s) => s.type !== first).flatMap((s) => s.matched)]
  }
  const result = (type: RequestType, confidence: 'high' | 'low', rule: SuggestionRule, second: ServiceClockSuggestion | null): RequestTypeSuggestion => {
    const first: Keyed =
      type === 'reclamo_scritto' && !of('reclamo_scritto') && failure ? 'segnalazione_disservizio' : type === 'altro' ? 'reclamo_scritto' : type
    const matched = allMatched(first)
    return { type, confidence, matched, rule, service: second, explanation: explain(rule, matched, second) }
  }
  if (explicit) return result('reclamo_scritto', 'high', 'explicit_complaint', service)
  const complaint = of('reclamo_scritto')
  if (failure || complaint) {
    const score = (failure?.score ?? 0) + (complaint?.score ?? 0)
    return result('reclamo_scritto', score >= 2 ? 'high' : 'low', 'failure_or_dissatisfaction', service)
  }
  const written = scores.filter((s) => s.type === 'rettifica_importi' || s.type === 'richiesta_informazioni' || SERVICE_KEYS.includes(s.type))
  const best = written[0]
  const second = written[1]
  if (!best || (second && second.score === best.score)) return result('reclamo_scritto', 'low', 'prudential', service)
  const confidence = best.score >= 2 ? 'high' : 'low'
  if (best.type === 'rettifica_importi' || best.type === 'richiesta_informazioni') return result(best.type, confidence, 'best_score', service)
  // consegna_attrezzature is a follow-up clock, not a request type: the delivery request is an activation one.
  const type: RequestType = best.type === 'consegna_attrezzature' ? 'attivazione_variazione_cessazione' : (best.type as RequestType)
  return result(type, confidence, 'service_request', best.type === 'consegna_attrezzature' ? service : null)
}
