// Open311 GeoReport v2 for the SottoControllo app: the service list and definitions, the mapping of a POSTed
// request onto the intake's fields, the request representation, and the XML format (JSON is the same data).
import { SERVICES, isRequestType, requestTypeLabel, type RequestType, type Standards } from '../domain/arera.js'
import type { Locale } from '../i18n.js'
import type { ResolvedIntakeType } from './options.js'
import type { PublishedRequest } from './service.js'
import type { FieldName } from './texts.js'
import { COMPLAINT_TYPES, type RawFields } from './validate.js'

/**
 * Only reports about a public place show their content (description, place, media) to anyone who lists requests;
 * complaints, information and billing requests and home services carry personal data, so their status is public
 * but their content is not (GDPR data minimisation).
 */
export const PUBLIC_DETAIL_TYPES: ReadonlySet<string> = new Set<RequestType>(['segnalazione_disservizio'])

const SERVICE_DESCRIPTIONS: Partial<Record<RequestType, Record<Locale, string>>> = {
  segnalazione_disservizio: { it: 'Rifiuti non raccolti, cassonetti pieni o danneggiati, abbandoni, strade sporche.', en: 'Uncollected waste, full or damaged bins, fly-tipping, dirty streets.' },
  reclamo_scritto: { it: 'Reclamo scritto sul servizio (TQRIF): risposta motivata entro i termini ARERA.', en: 'Written complaint about the service (TQRIF): reasoned reply within the ARERA deadline.' },
  richiesta_informazioni: { it: 'Richiesta scritta di informazioni sul servizio o sulla tariffa.', en: 'Written request for information about the service or the tariff.' },
  rettifica_importi: { it: 'Richiesta di rettifica degli importi addebitati nella bolletta TARI.', en: 'Request to correct the amounts billed (TARI).' },
  ritiro_su_chiamata: { it: 'Ritiro a domicilio di ingombranti, RAEE, sfalci e potature.', en: 'Home collection of bulky waste, WEEE, grass and pruning.' },
  riparazione_attrezzature: { it: 'Riparazione o sostituzione di bidoni e mastelli per la raccolta domiciliare.', en: 'Repair or replacement of home-collection bins.' },
  altro: { it: 'Ogni altra comunicazione.', en: 'Anything else.' }
}

const KEYWORDS: Partial<Record<RequestType, string>> = {
  segnalazione_disservizio: 'rifiuti,cassonetto,abbandono,spazzamento,raccolta',
  reclamo_scritto: 'reclamo,TQRIF,ARERA',
  rettifica_importi: 'TARI,bolletta,rimborso',
  ritiro_su_chiamata: 'ingombranti,RAEE,ritiro',
  riparazione_attrezzature: 'bidone,mastello,riparazione'
}

export function serviceName(t: ResolvedIntakeType, locale: Locale): string {
  return t.label[locale] ?? requestTypeLabel(t.type, locale)
}

export function serviceList(types: ResolvedIntakeType[], locale: Locale) {
  return types.map((t) => ({
    service_code: t.type,
    service_name: serviceName(t, locale),
    description: SERVICE_DESCRIPTIONS[t.type]?.[locale] ?? '',
    metadata: true,
    type: 'realtime',
    keywords: KEYWORDS[t.type] ?? '',
    group: locale === 'it' ? 'Igiene urbana' : 'Waste service'
  }))
}

/** Attribute code → the intake field it fills. */
const ATTRIBUTES: Array<{ code: string; field: FieldName | 'subject'; complaintOnly: boolean; requiredForComplaint: boolean; label: Record<Locale, string> }> = [
  { code: 'servizio', field: 'service', complaintOnly: false, requiredForComplaint: true, label: { it: 'Servizio interessato', en: 'Service concerned' } },
  { code: 'oggetto', field: 'subject', complaintOnly: false, requiredForComplaint: false, label: { it: 'Oggetto', en: 'Subject' } },
  { code: 'codice_fiscale', field: 'fiscalCode', complaintOnly: false, requiredForComplaint: true, label: { it: 'Codice fiscale', en: 'Tax code' } },
  { code: 'indirizzo_postale', field: 'postalAddress', complaintOnly: true, requiredForComplaint: false, label: { it: 'Indirizzo postale per la risposta', en: 'Postal address for the reply' } },
  { code: 'codice_utente', field: 'userCode', complaintOnly: true, requiredForComplaint: false, label: { it: 'Codice utente', en: 'Customer code' } },
  { code: 'indirizzo_utenza', field: 'supplyAddress', complaintOnly: true, requiredForComplaint: false, label: { it: "Indirizzo dell'utenza", en: 'Address of the supply' } },
  { code: 'codice_utenza', field: 'supplyCode', complaintOnly: true, requiredForComplaint: false, label: { it: 'Codice utenza', en: 'Supply code' } },
  { code: 'iban', field: 'iban', complaintOnly: true, requiredForComplaint: false, label: { it: 'IBAN per eventuali rimborsi', en: 'IBAN for refunds' } },
  { code: 'utenza_non_domestica', field: 'nonDomestic', complaintOnly: true, requiredForComplaint: false, label: { it: 'Utenza non domestica', en: 'Non-domestic user' } },
  { code: 'ragione_sociale', field: 'companyName', complaintOnly: true, requiredForComplaint: false, label: { it: 'Ragione sociale (utenze non domestiche)', en: 'Company name (non-domestic users)' } },
  { code: 'partita_iva', field: 'companyVat', complaintOnly: true, requiredForComplaint: false, label: { it: 'Partita IVA', en: 'VAT number' } },
  { code: 'ruolo_dichiarante', field: 'filerRole', complaintOnly: true, requiredForComplaint: false, label: { it: 'Ruolo di chi presenta la richiesta', en: 'Role of the person filing' } }
]

export function serviceDefinition(t: ResolvedIntakeType, locale: Locale) {
  const complaint = COMPLAINT_TYPES.has(t.type)
  const yesNo = [{ key: 'si', name: locale === 'it' ? 'Sì' : 'Yes' }, { key: 'no', name: 'No' }]
  return {
    service_code: t.type,
    attributes: ATTRIBUTES.filter((a) => complaint || !a.complaintOnly).map((a, i) => {
      const list = a.code === 'servizio' ? SERVICES.map((s) => ({ key: s.code, name: s.label[locale] })) : a.code === 'utenza_non_domestica' ? yesNo : null
      return {
        variable: true,
        code: a.code,
        datatype: list ? 'singlevaluelist' : 'string',
        required: complaint && a.requiredForComplaint,
        datatype_description: a.code === 'codice_fiscale' ? (locale === 'it' ? '16 lettere e cifre' : '16 letters and digits') : a.code === 'iban' ? (locale === 'it' ? 'IBAN, per l\'Italia 27 caratteri' : 'IBAN, 27 characters for Italy') : '',
        order: i + 1,
        description: a.label[locale],
        ...(list ? { values: list } : {})
      }
    })
  }
}

/** Open311 parameter (or attribute code) → intake field, for mapping errors back to what the app sent. */
export const OPEN311_NAMES: Partial<Record<FieldName, string>> = {
  type: 'service_code', description: 'description', address: 'address_string', latitude: 'lat', longitude: 'long',
  firstName: 'first_name', lastName: 'last_name', email: 'email', phone: 'phone', mediaUrl: 'media_url', attachments: 'media',
  ...Object.fromEntries(ATTRIBUTES.map((a) => [a.field, `attribute[${a.code}]`]))
}

/** The attribute values of a request: `attribute[code]=…` form fields or an `attribute` object (JSON). */
function attributes(body: RawFields): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const nested = body.attribute
  if (nested && typeof nested === 'object' && !Array.isArray(nested)) Object.assign(out, nested)
  for (const [key, value] of Object.entries(body)) {
    const match = /^attribute\[([A-Za-z0-9_-]+)\]$/.exec(key)
    if (match) out[match[1] as string] = value
  }
  return out
}

/** An Open311 POST body as the intake's canonical fields. */
export function fieldsFromOpen311(body: RawFields): RawFields {
  const attrs = attributes(body)
  const fields: RawFields = {
    type: body.service_code, description: body.description, latitude: body.lat, longitude: body.long,
    firstName: body.first_name, lastName: body.last_name, email: body.email, phone: body.phone, mediaUrl: body.media_url,
    address: body.address_string ?? (body.address_id !== undefined ? `address_id ${String(body.address_id)}` : undefined)
  }
  for (const a of ATTRIBUTES) {
    const value = attrs[a.code]
    if (value === undefined) continue
    fields[a.field] = a.code === 'utenza_non_domestica' ? (String(value).toLowerCase() === 'si' || String(value) === 'true' ? 'true' : 'false') : value
  }
  return fields
}

const romeOffset = (date: Date): string => {
  const part = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Rome', timeZoneName: 'longOffset' }).formatToParts(date).find((p) => p.type === 'timeZoneName')
  const offset = part?.value.replace('GMT', '') ?? ''
  return offset === '' ? 'Z' : offset
}

/** The end of a due day in Rome, as Open311 wants a datetime with its offset. */
export function endOfRomeDay(isoDate: string): string {
  return `${isoDate}T23:59:59${romeOffset(new Date(`${isoDate}T12:00:00Z`))}`
}

export function toServiceRequest(p: PublishedRequest, types: ResolvedIntakeType[], locale: Locale, organizationName: string) {
  const { intake, workOrder } = p
  const open = workOrder?.status !== 'closed'
  const detail = PUBLIC_DETAIL_TYPES.has(intake.serviceCode)
  const known = types.find((t) => t.type === intake.serviceCode)
  return {
    service_request_id: intake.reference,
    status: open ? 'open' : 'closed',
    status_notes: intake.statusNotes,
    service_name: known ? serviceName(known, locale) : isRequestType(intake.serviceCode) ? requestTypeLabel(intake.serviceCode, locale) : intake.serviceCode,
    service_code: intake.serviceCode,
    description: detail ? (workOrder?.description ?? null) : null,
    agency_responsible: organizationName,
    service_notice: null,
    requested_datetime: intake.submittedAt,
    updated_datetime: intake.updatedAt,
    expected_datetime: p.dueDate ? endOfRomeDay(p.dueDate) : null,
    address: detail ? intake.address : null,
    address_id: null,
    zipcode: null,
    lat: detail ? intake.latitude : null,
    long: detail ? intake.longitude : null,
    media_url: detail ? intake.mediaUrl : null
  }
}

/** The notice returned with a new request: the reference and, when the type has one, the ARERA deadline. */
export function serviceNotice(type: string | null, dueDate: string | null, standards: Standards, locale: Locale): string | null {
  const days = type ? standards[type as RequestType]?.workingDays : null
  if (!days || !dueDate) return null
  const date = new Date(`${dueDate}T12:00:00Z`).toLocaleDateString(locale === 'it' ? 'it-IT' : 'en-GB', { timeZone: 'Europe/Rome', day: 'numeric', month: 'long', year: 'numeric' })
  return locale === 'it' ? `Risposta entro ${days} giorni lavorativi (ARERA TQRIF), cioè entro il ${date}.` : `Reply within ${days} working days (ARERA TQRIF), that is by ${date}.`
}

// ------------------------------------------------------------------------------------------------------------
// XML: the same data as the JSON, with the element names of the GeoReport v2 examples.

const SINGULAR: Record<string, string> = { services: 'service', service_requests: 'request', attributes: 'attribute', values: 'value', errors: 'error' }
const escXml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string)
// eslint-disable-next-line no-control-regex
const xmlText = (s: string) => escXml(s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, ''))

function element(name: string, value: unknown): string {
  if (value === null || value === undefined) return `<${name}></${name}>`
  if (Array.isArray(value)) return `<${name}>${value.map((v) => element(SINGULAR[name] ?? 'item', v)).join('')}</${name}>`
  if (typeof value === 'object') return `<${name}>${Object.entries(value).map(([k, v]) => element(k, v)).join('')}</${name}>`
  return `<${name}>${xmlText(String(value))}</${name}>`
}

export function toXml(root: string, value: unknown): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n${element(root, value)}`
}
