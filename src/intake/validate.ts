// Server-side validation of a citizen's submission, whatever channel it came through: the web form posts the
// canonical field names, the Open311 API is mapped onto them first. Returns the clean submission or one
// message per field, in the citizen's language.
import { isServiceCode, type RequestType, type ServiceCode } from '../domain/arera.js'
import { isValidFiscalCode, isValidPartitaIva } from '../domain/codice-fiscale.js'
import { ibanProblem, normalizeIban } from '../domain/iban.js'
import type { Locale } from '../i18n.js'
import { htmlToText, sanitizeEditorHtml, textToHtml } from '../mail/sanitize.js'
import { fieldError, type ErrorKey, type FieldName } from './texts.js'

/** Written requests whose ARERA complaint form asks for the citizen's identity and supply details. */
export const COMPLAINT_TYPES: ReadonlySet<RequestType> = new Set(['reclamo_scritto', 'rettifica_importi'])
/**
 * Reports about a public place: the only requests whose description, exact place and media may be published, and
 * only after an operator approved it (moderation); every other request shows its category and status only.
 */
export const PUBLISHABLE_TYPES: ReadonlySet<RequestType> = new Set(['segnalazione_disservizio'])
/** Requests about something at a place: they need an address or a map point. */
export const LOCATION_TYPES: ReadonlySet<RequestType> = new Set(['segnalazione_disservizio', 'ritiro_su_chiamata', 'riparazione_attrezzature'])

export type RawFields = Record<string, unknown>

export interface CitizenDetails {
  firstName: string | null
  lastName: string | null
  email: string | null
  phone: string | null
  postalAddress: string | null
  fiscalCode: string | null
}

export interface ComplaintDetails {
  userCode: string | null
  supplyAddress: string | null
  supplyCode: string | null
  iban: string | null
  nonDomestic: boolean
  companyName: string | null
  companyVat: string | null
  filerRole: string | null
}

export interface ValidSubmission {
  type: RequestType
  service: ServiceCode | null
  subject: string | null
  /** The description as stored: sanitized HTML and its plain text. */
  body: { text: string; html: string }
  address: string | null
  latitude: number | null
  longitude: number | null
  person: CitizenDetails
  complaint: ComplaintDetails
  mediaUrls: string[]
  /**
   * Data the ARERA complaint form asks for but the app did not send. Open311 cannot express "required when…", so
   * the app's request is accepted and these are flagged for the operator, who asks the citizen; the web form
   * refuses instead (it can say so next to the field).
   */
  missing: FieldName[]
}

export interface ValidationRules {
  locale: Locale
  allowedTypes: readonly RequestType[]
  channel: 'web' | 'app'
}

export type FieldErrors = Partial<Record<FieldName, string>>

const LIMITS = {
  subject: 200,
  description: 10_000,
  address: 300,
  firstName: 100,
  lastName: 100,
  email: 254,
  phone: 30,
  postalAddress: 300,
  userCode: 50,
  supplyAddress: 300,
  supplyCode: 50,
  companyName: 200,
  filerRole: 100
} as const

export const EMAIL = /^[^\s@<>()",;:\\[\]]+@[^\s@<>()",;:\\[\]]+\.[A-Za-z]{2,}$/
const PHONE = /^\+?[0-9 ().\\/-]{6,25}$/
const CODE = /^[A-Za-z0-9][A-Za-z0-9 ./-]*$/
const TRUE = new Set(['true', 'on', '1', 'yes', 'si', 'sì'])

/** A field as one trimmed string ('' when absent); the first value when a field was sent twice. */
export function stringField(raw: RawFields, name: string): string {
  let value = raw[name]
  if (Array.isArray(value)) value = value[0]
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return typeof value === 'string' ? value.replace(/\r\n?/g, '\n').trim() : ''
}

export function booleanField(raw: RawFields, name: string): boolean {
  return TRUE.has(stringField(raw, name).toLowerCase())
}

function listField(raw: RawFields, name: string): string[] {
  const value = raw[name]
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value]
  return list.map((v) => (typeof v === 'string' ? v.trim() : '')).filter((v) => v !== '')
}

function parseCoordinate(text: string): number | null {
  if (text === '') return null
  const value = Number(text.replace(',', '.'))
  return Number.isFinite(value) ? value : Number.NaN
}

/**
 * The description as sanitized HTML and plain text. A textarea gives plain text; pasted markup is treated as
 * HTML and cleaned, so a `<script>` never reaches storage, the host's description column or an operator's screen.
 */
export function descriptionBody(description: string): { text: string; html: string } {
  if (/<\/?[a-z!][^>]*>/i.test(description)) {
    const html = sanitizeEditorHtml(description, { imageSrc: () => null })
    return { html, text: htmlToText(html).trim() }
  }
  return { text: description, html: textToHtml(description) }
}

export function validateSubmission(raw: RawFields, rules: ValidationRules): { value: ValidSubmission | null; errors: FieldErrors } {
  const { locale, channel } = rules
  const errors: FieldErrors = {}
  const missing: FieldName[] = []
  const fail = (field: FieldName, key: ErrorKey, params: Record<string, string | number> = {}) => {
    if (!errors[field]) errors[field] = fieldError(locale, key, params)
  }
  /** A conditionally required field: refused on the form, accepted and flagged from the app. */
  const need = (field: FieldName, key: ErrorKey) => {
    if (channel === 'web') fail(field, key)
    else if (!missing.includes(field)) missing.push(field)
  }
  const text = (field: keyof typeof LIMITS): string | null => {
    const value = stringField(raw, field)
    if (value.length > LIMITS[field]) fail(field, 'tooLong', { max: LIMITS[field], length: value.length })
    return value === '' ? null : value
  }

  const typeText = stringField(raw, 'type')
  const type = rules.allowedTypes.find((t) => t === typeText) ?? null
  if (!typeText) fail('type', 'typeRequired')
  else if (!type) fail('type', 'typeInvalid')
  const complaint = type !== null && COMPLAINT_TYPES.has(type)

  const serviceText = stringField(raw, 'service')
  const service = isServiceCode(serviceText) ? serviceText : null
  if (serviceText && !service) fail('service', 'serviceInvalid')
  else if (!service && (channel === 'web' || complaint)) fail('service', 'serviceRequired')

  const subject = text('subject')
  if (!subject && channel === 'web') fail('subject', 'subjectRequired')
  const description = text('description') ?? ''
  const body = descriptionBody(description)
  if (!body.text.trim() && channel === 'web') fail('description', 'descriptionRequired')

  const address = text('address')
  const latitude = parseCoordinate(stringField(raw, 'latitude'))
  const longitude = parseCoordinate(stringField(raw, 'longitude'))
  if (latitude !== null && !(latitude >= -90 && latitude <= 90)) fail('latitude', 'latitudeInvalid')
  if (longitude !== null && !(longitude >= -180 && longitude <= 180)) fail('longitude', 'longitudeInvalid')
  if ((latitude === null) !== (longitude === null)) fail(latitude === null ? 'latitude' : 'longitude', 'coordinatePair')
  const hasPoint = latitude !== null && longitude !== null
  const needsLocation = channel === 'app' || (type !== null && LOCATION_TYPES.has(type))
  if (needsLocation && !address && !hasPoint) fail('address', 'locationRequired')

  const firstName = text('firstName')
  const lastName = text('lastName')
  const namesRequired = channel === 'web' || complaint
  if (!firstName && namesRequired) need('firstName', 'firstNameRequired')
  if (!lastName && namesRequired) need('lastName', 'lastNameRequired')
  const emailText = text('email')
  const email = emailText ? emailText.toLowerCase() : null
  if (email && !EMAIL.test(email)) fail('email', 'emailInvalid')
  const postalAddress = text('postalAddress')
  if (!email && !postalAddress && (channel === 'web' || complaint)) need('email', 'contactRequired')
  const phone = text('phone')
  if (phone && (!PHONE.test(phone) || phone.replace(/\D/g, '').length < 6)) fail('phone', 'phoneInvalid')

  const fiscalText = stringField(raw, 'fiscalCode').replace(/\s+/g, '').toUpperCase()
  if (fiscalText && !isValidFiscalCode(fiscalText)) fail('fiscalCode', 'fiscalCodeInvalid')
  else if (!fiscalText && complaint) fail('fiscalCode', 'fiscalCodeRequired')

  const userCode = text('userCode')
  if (userCode && !CODE.test(userCode)) fail('userCode', 'codeInvalid')
  const supplyCode = text('supplyCode')
  const supplyAddress = text('supplyAddress')
  const filerRole = text('filerRole')
  if (supplyCode && !CODE.test(supplyCode)) fail('supplyCode', 'codeInvalid')
  const ibanText = stringField(raw, 'iban')
  const iban = ibanText ? normalizeIban(ibanText) : null
  const problem = iban ? ibanProblem(iban) : null
  if (problem)
    fail('iban', problem === 'format' ? 'ibanFormat' : problem === 'country' ? 'ibanCountry' : problem === 'length' ? 'ibanLength' : 'ibanChecksum', {
      country: iban?.slice(0, 2) ?? ''
    })
  const nonDomestic = booleanField(raw, 'nonDomestic')
  const companyName = text('companyName')
  if (nonDomestic && complaint && !companyName) need('companyName', 'companyNameRequired')
  const companyVat = stringField(raw, 'companyVat').replace(/\s+/g, '').replace(/^IT/i, '')
  if (companyVat && !isValidPartitaIva(companyVat)) fail('companyVat', 'companyVatInvalid')

  const mediaUrls = listField(raw, 'mediaUrl').slice(0, 5)
  for (const url of mediaUrls) {
    if (url.length > 1000 || !/^https?:\/\/[^\s/?#]+[^\s]*$/i.test(url)) fail('mediaUrl', 'mediaUrlInvalid')
  }
  if (channel === 'web' && !booleanField(raw, 'privacy')) fail('privacy', 'privacyRequired')

  if (Object.keys(errors).length > 0 || !type) return { value: null, errors }
  return {
    errors,
    value: {
      type,
      service,
      subject,
      body,
      address,
      latitude: hasPoint ? latitude : null,
      longitude: hasPoint ? longitude : null,
      person: { firstName, lastName, email, phone, postalAddress, fiscalCode: fiscalText || null },
      complaint: {
        userCode,
        supplyAddress,
        supplyCode,
        iban,
        nonDomestic,
        companyName,
        companyVat: companyVat || null,
        filerRole
      },
      mediaUrls,
      missing
    }
  }
}
