// Open311 GeoReport v2 for the SottoControllo app: the service list and definitions, the mapping of a POSTed
// request onto the intake's fields, the request representation, and the XML format (JSON is the same data).
import { SERVICES, isRequestType, requestTypeLabel, type RequestType, type Standards } from '../domain/arera.js'
import { formatDate } from '../domain/dates.js'
import type { Locale } from '../i18n.js'
import type { ResolvedIntakeType } from './options.js'
import { lastPublicChange, type PublishedRequest } from './service.js'
import { fieldError, type FieldName } from './texts.js'
import type { PublicUpdate } from './updates.js'
import { COMPLAINT_TYPES, EMAIL, PUBLISHABLE_TYPES, descriptionBody, stringField, type RawFields } from './validate.js'

const SERVICE_DESCRIPTIONS: Partial<Record<RequestType, Record<Locale, string>>> = {
  segnalazione_disservizio: {
    it: 'Rifiuti non raccolti, cassonetti pieni o danneggiati, abbandoni, strade sporche.',
    en: 'Uncollected waste, full or damaged bins, fly-tipping, dirty streets.'
  },
  reclamo_scritto: {
    it: 'Reclamo scritto sul servizio (TQRIF): risposta motivata entro i termini ARERA.',
    en: 'Written complaint about the service (TQRIF): reasoned reply within the ARERA deadline.'
  },
  richiesta_informazioni: {
    it: 'Richiesta scritta di informazioni sul servizio o sulla tariffa.',
    en: 'Written request for information about the service or the tariff.'
  },
  rettifica_importi: { it: 'Richiesta di rettifica degli importi addebitati nella bolletta TARI.', en: 'Request to correct the amounts billed (TARI).' },
  ritiro_su_chiamata: { it: 'Ritiro a domicilio di ingombranti, RAEE, sfalci e potature.', en: 'Home collection of bulky waste, WEEE, grass and pruning.' },
  riparazione_attrezzature: {
    it: 'Riparazione o sostituzione di bidoni e mastelli per la raccolta domiciliare.',
    en: 'Repair or replacement of home-collection bins.'
  },
  altro: { it: 'Ogni altra comunicazione.', en: 'Anything else.' }
}

const KEYWORDS: Partial<Record<RequestType, string>> = {
  segnalazione_disservizio: 'rifiuti,cassonetto,abbandono,spazzamento,raccolta',
  reclamo_scritto: 'reclamo,TQRIF,ARERA',
  rettifica_importi: 'TARI,bolletta,rimborso',
  ritiro_su_chiamata: 'ingombranti,RAEE,ritiro',
  riparazione_attrezzature: 'bidone,mastello,riparazione'
}

function serviceName(t: ResolvedIntakeType, locale: Locale): string {
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
const ATTRIBUTES: Array<{ code: string; field: FieldName | 'subject'; complaintOnly: boolean; requiredForComplaint: boolean; label: Record<Locale, string> }> =
  [
    { code: 'servizio', field: 'service', complaintOnly: false, requiredForComplaint: true, label: { it: 'Servizio interessato', en: 'Service concerned' } },
    { code: 'oggetto', field: 'subject', complaintOnly: false, requiredForComplaint: false, label: { it: 'Oggetto', en: 'Subject' } },
    { code: 'codice_fiscale', field: 'fiscalCode', complaintOnly: false, requiredForComplaint: true, label: { it: 'Codice fiscale', en: 'Tax code' } },
    {
      code: 'indirizzo_postale',
      field: 'postalAddress',
      complaintOnly: true,
      requiredForComplaint: false,
      label: { it: 'Indirizzo postale per la risposta', en: 'Postal address for the reply' }
    },
    { code: 'codice_utente', field: 'userCode', complaintOnly: true, requiredForComplaint: false, label: { it: 'Codice utente', en: 'Customer code' } },
    {
      code: 'indirizzo_utenza',
      field: 'supplyAddress',
      complaintOnly: true,
      requiredForComplaint: false,
      label: { it: "Indirizzo dell'utenza", en: 'Address of the supply' }
    },
    { code: 'codice_utenza', field: 'supplyCode', complaintOnly: true, requiredForComplaint: false, label: { it: 'Codice utenza', en: 'Supply code' } },
    { code: 'iban', field: 'iban', complaintOnly: true, requiredForComplaint: false, label: { it: 'IBAN per eventuali rimborsi', en: 'IBAN for refunds' } },
    {
      code: 'utenza_non_domestica',
      field: 'nonDomestic',
      complaintOnly: true,
      requiredForComplaint: false,
      label: { it: 'Utenza non domestica', en: 'Non-domestic user' }
    },
    {
      code: 'ragione_sociale',
      field: 'companyName',
      complaintOnly: true,
      requiredForComplaint: false,
      label: { it: 'Ragione sociale (utenze non domestiche)', en: 'Company name (non-domestic users)' }
    },
    { code: 'partita_iva', field: 'companyVat', complaintOnly: true, requiredForComplaint: false, label: { it: 'Partita IVA', en: 'VAT number' } },
    {
      code: 'ruolo_dichiarante',
      field: 'filerRole',
      complaintOnly: true,
      requiredForComplaint: false,
      label: { it: 'Ruolo di chi presenta la richiesta', en: 'Role of the person filing' }
    }
  ]

const DATATYPE_DESCRIPTIONS: Record<string, Record<Locale, string>> = {
  codice_fiscale: { it: '16 lettere e cifre', en: '16 letters and digits' },
  iban: { it: "IBAN, per l'Italia 27 caratteri", en: 'IBAN, 27 characters for Italy' },
  // Open311 cannot say "required when…": such a request is accepted and the missing data flagged for the operator
  ragione_sociale: {
    it: "Da indicare se utenza_non_domestica = si; se manca la richiesta è accettata e l'operatore la chiede al cittadino",
    en: 'To give when utenza_non_domestica = si; if missing the request is accepted and the operator asks the citizen'
  }
}

export function serviceDefinition(t: ResolvedIntakeType, locale: Locale) {
  const complaint = COMPLAINT_TYPES.has(t.type)
  const yesNo = [
    { key: 'si', name: locale === 'it' ? 'Sì' : 'Yes' },
    { key: 'no', name: 'No' }
  ]
  return {
    service_code: t.type,
    attributes: ATTRIBUTES.filter((a) => complaint || !a.complaintOnly).map((a, i) => {
      const list = a.code === 'servizio' ? SERVICES.map((s) => ({ key: s.code, name: s.label[locale] })) : a.code === 'utenza_non_domestica' ? yesNo : null
      return {
        variable: true,
        code: a.code,
        datatype: list ? 'singlevaluelist' : 'string',
        required: complaint && a.requiredForComplaint,
        datatype_description: DATATYPE_DESCRIPTIONS[a.code]?.[locale] ?? '',
        order: i + 1,
        description: a.label[locale],
        ...(list ? { values: list } : {})
      }
    })
  }
}

/** Open311 parameter (or attribute code) → intake field, for mapping errors back to what the app sent. */
export const OPEN311_NAMES: Partial<Record<FieldName, string>> = {
  type: 'service_code',
  description: 'description',
  address: 'address_string',
  latitude: 'lat',
  longitude: 'long',
  firstName: 'first_name',
  lastName: 'last_name',
  email: 'email',
  phone: 'phone',
  mediaUrl: 'media_url',
  attachments: 'media',
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
    type: body.service_code,
    description: body.description,
    latitude: body.lat,
    longitude: body.long,
    firstName: body.first_name,
    lastName: body.last_name,
    email: body.email,
    phone: body.phone,
    mediaUrl: body.media_url,
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
  const part = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Rome', timeZoneName: 'longOffset' })
    .formatToParts(date)
    .find((p) => p.type === 'timeZoneName')
  const offset = part?.value.replace('GMT', '') ?? ''
  return offset === '' ? 'Z' : offset
}

/** The end of a due day in Rome, as Open311 wants a datetime with its offset. */
function endOfRomeDay(isoDate: string): string {
  return `${isoDate}T23:59:59${romeOffset(new Date(`${isoDate}T12:00:00Z`))}`
}

/** About 100 m: enough to see where the problem is, not whose door it is. */
const coarse = (degrees: number | null) => (degrees === null ? null : Math.round(degrees * 1000) / 1000)

/**
 * A request as anyone may read it. By default only the category, the status and, for reports of a public problem,
 * a coarse location (3 decimals); the description, exact place and media only once an operator approved their
 * publication (with the text the operator approved). Names, contacts and codes are never published.
 */
export function toServiceRequest(p: PublishedRequest, types: ResolvedIntakeType[], locale: Locale, organizationName: string) {
  const { intake, workOrder } = p
  const open = workOrder?.status !== 'closed'
  const publishable = PUBLISHABLE_TYPES.has(intake.serviceCode as RequestType)
  const detail = publishable && intake.publication.approved
  const known = types.find((t) => t.type === intake.serviceCode)
  return {
    service_request_id: intake.reference,
    status: open ? 'open' : 'closed',
    status_notes: intake.statusNotes,
    service_name: known ? serviceName(known, locale) : isRequestType(intake.serviceCode) ? requestTypeLabel(intake.serviceCode, locale) : intake.serviceCode,
    service_code: intake.serviceCode,
    description: detail ? (intake.publication.description ?? workOrder?.description ?? null) : null,
    agency_responsible: organizationName,
    service_notice: null,
    requested_datetime: intake.submittedAt,
    updated_datetime: lastPublicChange(intake, intake.submittedAt, p.publicChangedAt),
    expected_datetime: p.dueDate ? endOfRomeDay(p.dueDate) : null,
    address: detail ? intake.address : null,
    address_id: null,
    zipcode: null,
    lat: detail ? intake.latitude : publishable ? coarse(intake.latitude) : null,
    long: detail ? intake.longitude : publishable ? coarse(intake.longitude) : null,
    media_url: detail ? intake.mediaUrl : null
  }
}

/** The notice returned with a new request: the reference and, when the type has one, the ARERA deadline. */
export function serviceNotice(type: string | null, dueDate: string | null, standards: Standards, locale: Locale): string | null {
  const days = type ? standards[type as RequestType]?.workingDays : null
  if (!days || !dueDate) return null
  const date = formatDate(dueDate, locale, false)
  return locale === 'it'
    ? `Risposta entro ${days} giorni lavorativi (ARERA TQRIF), cioè entro il ${date}.`
    : `Reply within ${days} working days (ARERA TQRIF), that is by ${date}.`
}

/** Our states in the servicerequestupdates vocabulary (FixMyStreet's extended states). */
const UPDATE_STATUS: Record<PublicUpdate['status'], string> = { open: 'OPEN', in_progress: 'IN_PROGRESS', waiting: 'OPEN', closed: 'CLOSED' }

export function toRequestUpdate(u: PublicUpdate) {
  return {
    update_id: u.updateId,
    service_request_id: u.reference,
    status: UPDATE_STATUS[u.status],
    updated_datetime: u.at,
    description: u.description,
    media_url: ''
  }
}

/** A POSTed service request update (a citizen's comment) as clean fields, or one message per Open311 field. */
export function commentFromOpen311(body: RawFields, locale: Locale) {
  const errors: Record<string, string> = {}
  const text = (name: string, max: number) => {
    const value = stringField(body, name)
    if (value.length > max) errors[name] = fieldError(locale, 'tooLong', { max, length: value.length })
    return value || null
  }
  const description = text('description', 10_000)
  if (!description || !descriptionBody(description).text.trim()) errors.description = fieldError(locale, 'descriptionRequired')
  const email = text('email', 254)?.toLowerCase() ?? null
  if (email && !EMAIL.test(email)) errors.email = fieldError(locale, 'emailInvalid')
  const mediaUrl = text('media_url', 1000)
  if (mediaUrl && !/^https?:\/\/[^\s/?#]+\S*$/i.test(mediaUrl)) errors.media_url = fieldError(locale, 'mediaUrlInvalid')
  const value = {
    reference: stringField(body, 'service_request_id').slice(0, 60),
    text: description ?? '',
    email,
    mediaUrl,
    firstName: text('first_name', 100),
    lastName: text('last_name', 100),
    phone: text('phone', 30),
    externalId: text('update_id_ext', 100) ?? text('update_id', 100),
    writtenAt: text('updated_datetime', 40)
  }
  return { value, errors: Object.entries(errors).map(([k, v]) => `${k}: ${v}`) }
}

// ------------------------------------------------------------------------------------------------------------
// XML: the same data as the JSON, with the element names of the GeoReport v2 examples.

const SINGULAR: Record<string, string> = {
  services: 'service',
  service_requests: 'request',
  service_request_updates: 'request_update',
  attributes: 'attribute',
  values: 'value',
  errors: 'error'
}
const escXml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string)
// eslint-disable-next-line no-control-regex
const xmlText = (s: string) => escXml(s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, ''))

function element(name: string, value: unknown): string {
  if (value === null || value === undefined) return `<${name}></${name}>`
  if (Array.isArray(value)) return `<${name}>${value.map((v) => element(SINGULAR[name] ?? 'item', v)).join('')}</${name}>`
  if (typeof value === 'object')
    return `<${name}>${Object.entries(value)
      .map(([k, v]) => element(k, v))
      .join('')}</${name}>`
  return `<${name}>${xmlText(String(value))}</${name}>`
}

export function toXml(root: string, value: unknown): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n${element(root, value)}`
}
