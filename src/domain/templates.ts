// Canned answers and signatures: `{{placeholder}}` parsing, validation at save time and rendering with HTML
// escaping. Pure: no I/O; the service gathers the values (work order, contributor, operator, mailbox).
//
// A placeholder is one of PLACEHOLDERS, or `campo.<name>` for a field the template declares and the operator fills
// in before sending. A required field left empty stays in the text as `{{campo.<name>}}`, and no reply or forward
// containing `{{…}}` is ever sent (findUnresolved): nothing raw reaches a citizen.
import { escapeHtml } from './escape.js'

export type TemplateLang = 'it' | 'en'

/** What the module knows about a work order, its people and its mailbox, by placeholder name. */
export const PLACEHOLDERS = {
  'contribuente.nome': { it: 'Nome e cognome (o ragione sociale) del contribuente', en: 'Contributor name' },
  'contribuente.codiceFiscale': { it: 'Codice fiscale del contribuente', en: 'Contributor fiscal code' },
  'contribuente.email': { it: 'Indirizzo email del contribuente', en: 'Contributor email address' },
  riferimento: { it: 'Codice della richiesta (es. RC-2026-000123)', en: 'Request code (e.g. RC-2026-000123)' },
  'ordine.numero': { it: "Numero dell'ordine di lavoro", en: 'Work order number' },
  'ordine.oggetto': { it: "Oggetto dell'ordine di lavoro", en: 'Work order subject' },
  'richiesta.tipo': { it: 'Tipo di richiesta ARERA', en: 'ARERA request type' },
  'richiesta.servizio': { it: 'Servizio interessato', en: 'Service concerned' },
  'richiesta.canale': { it: 'Canale di arrivo (email, PEC, Sportello, app)', en: 'Channel (email, PEC, online counter, app)' },
  'richiesta.ricevutaIl': { it: 'Data di ricezione della richiesta', en: 'Date the request was received' },
  scadenza: { it: 'Termine ARERA per la risposta', en: 'ARERA reply deadline' },
  giorniRimanenti: { it: 'Giorni lavorativi rimanenti', en: 'Working days left' },
  'operatore.nome': { it: "Nome dell'operatore che scrive", en: 'Name of the operator writing' },
  'operatore.email': { it: "Email dell'operatore che scrive", en: 'Email of the operator writing' },
  'casella.nome': { it: 'Nome della casella di posta (ufficio)', en: 'Mailbox (office) name' },
  'casella.indirizzo': { it: 'Indirizzo della casella di posta', en: 'Mailbox address' },
  'ente.nome': { it: "Nome dell'ente gestore", en: 'Operator (utility) name' },
  oggi: { it: 'Data di oggi', en: "Today's date" },
  allegati: { it: 'Elenco dei documenti allegati', en: 'List of attached documents' }
} as const satisfies Record<string, Record<TemplateLang, string>>

export type PlaceholderName = keyof typeof PLACEHOLDERS

/** Signatures are rendered at send time for any work order: only what is known about the sender. */
export const SIGNATURE_PLACEHOLDERS: readonly PlaceholderName[] = ['operatore.nome', 'operatore.email', 'casella.nome', 'casella.indirizzo', 'ente.nome']

export interface TemplateField {
  /** `{{campo.<name>}}` in the text. */
  name: string
  label: string
  required: boolean
}

/** A placeholder's value: text (escaped when rendered) or HTML the module built from escaped parts. */
export type PlaceholderValue = string | { html: string } | null

export type TemplateProblem = { kind: 'syntax'; detail: string } | { kind: 'unknown'; name: string } | { kind: 'field'; detail: string }

const TOKEN = /\{\{\s*([^{}]*?)\s*\}\}/g
const FIELD_NAME = /^[a-z][a-zA-Z0-9_]{0,39}$/
const FIELD_PREFIX = 'campo.'

/** The placeholder names in a text, in order of first appearance. */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(TOKEN)].map((m) => m[1] as string))]
}

/** What is wrong with a template (empty when it can be saved). */
export function validateTemplate(input: {
  html: string
  fields?: readonly TemplateField[]
  allowed?: readonly string[]
  allowFields?: boolean
}): TemplateProblem[] {
  const problems: TemplateProblem[] = []
  const stripped = input.html.replace(TOKEN, '')
  if (stripped.includes('{{') || stripped.includes('}}'))
    problems.push({ kind: 'syntax', detail: 'parentesi graffe doppie non chiuse ("{{" senza "}}" o viceversa)' })
  const allowed = new Set<string>(input.allowed ?? Object.keys(PLACEHOLDERS))
  const fields = input.fields ?? []
  const declared = new Set<string>()
  for (const f of fields) {
    if (!FIELD_NAME.test(f.name))
      problems.push({ kind: 'field', detail: `nome di campo non valido "${f.name.slice(0, 60)}" (lettere e cifre, inizia con una minuscola)` })
    else if (declared.has(f.name)) problems.push({ kind: 'field', detail: `campo "${f.name}" dichiarato due volte` })
    declared.add(f.name)
    if (f.label.trim() === '') problems.push({ kind: 'field', detail: `il campo "${f.name}" non ha un'etichetta` })
  }
  const used = placeholdersOf(input.html)
  for (const name of used) {
    if (name.startsWith(FIELD_PREFIX) && input.allowFields !== false) {
      if (!declared.has(name.slice(FIELD_PREFIX.length))) problems.push({ kind: 'unknown', name })
    } else if (!allowed.has(name)) problems.push({ kind: 'unknown', name })
  }
  for (const f of fields)
    if (FIELD_NAME.test(f.name) && !used.includes(FIELD_PREFIX + f.name))
      problems.push({ kind: 'field', detail: `il campo "${f.name}" non compare nel testo ({{campo.${f.name}}})` })
  return problems
}

export interface Rendered {
  html: string
  /** Required fields still empty: their `{{campo.…}}` stays in the text, and sending is refused until filled. */
  missing: TemplateField[]
  /** Placeholders with no value for this work order (rendered empty), e.g. a due date on an untracked request. */
  unavailable: string[]
}

/** Field text as the operator typed it: escaped, line breaks kept. */
function fieldHtml(value: string): string {
  return escapeHtml(value.trim()).replace(/\r?\n/g, '<br>')
}

export function renderTemplate(
  html: string,
  values: Partial<Record<string, PlaceholderValue>>,
  fields: readonly TemplateField[] = [],
  fieldValues: Record<string, string> = {}
): Rendered {
  const byName = new Map(fields.map((f) => [f.name, f]))
  const missing: TemplateField[] = []
  const unavailable: string[] = []
  const out = html.replace(TOKEN, (whole, name: string) => {
    if (name.startsWith(FIELD_PREFIX)) {
      const field = byName.get(name.slice(FIELD_PREFIX.length))
      const value = fieldValues[name.slice(FIELD_PREFIX.length)]?.trim() ?? ''
      if (value !== '') return fieldHtml(value)
      if (field?.required) {
        if (!missing.includes(field)) missing.push(field)
        return `{{${name}}}`
      }
      return ''
    }
    const value = values[name]
    if (value === undefined || value === null || value === '') {
      if (!unavailable.includes(name)) unavailable.push(name)
      return value === undefined && !(name in PLACEHOLDERS) ? whole : ''
    }
    return typeof value === 'string' ? escapeHtml(value) : value.html
  })
  return { html: out, missing, unavailable }
}

/** `{{…}}` runs left in a text about to be sent. */
export function findUnresolved(text: string): string[] {
  const found = placeholdersOf(text).map((n) => `{{${n}}}`)
  const stripped = text.replace(TOKEN, '')
  if (stripped.includes('{{')) found.push('{{')
  return found
}

/** An HTML list of file names, or the sentence that there are none. */
export function attachmentList(names: readonly string[], lang: TemplateLang): { html: string } {
  if (names.length === 0) return { html: `<p>${lang === 'en' ? 'No documents attached.' : 'Nessun documento allegato.'}</p>` }
  return { html: `<ul>${names.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` }
}
