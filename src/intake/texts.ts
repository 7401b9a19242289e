// What the citizen reads on the intake form: labels, hints and field-level error messages, Italian and English.
// Errors say what is wrong and how to fix it (WCAG 3.3.3), in the words of the form's labels.
import type { Locale } from '../i18n.js'

type Text = Readonly<Record<Locale, string>>

export const FIELD_LABELS = {
  type: { it: 'Tipo di richiesta', en: 'Request type' },
  service: { it: 'Servizio interessato', en: 'Service concerned' },
  subject: { it: 'Oggetto', en: 'Subject' },
  description: { it: 'Descrizione', en: 'Description' },
  address: { it: 'Indirizzo', en: 'Address' },
  latitude: { it: 'Latitudine', en: 'Latitude' },
  longitude: { it: 'Longitudine', en: 'Longitude' },
  attachments: { it: 'Foto e documenti', en: 'Photos and documents' },
  firstName: { it: 'Nome', en: 'First name' },
  lastName: { it: 'Cognome', en: 'Last name' },
  email: { it: 'Email', en: 'Email' },
  phone: { it: 'Telefono', en: 'Phone' },
  postalAddress: { it: 'Indirizzo postale', en: 'Postal address' },
  fiscalCode: { it: 'Codice fiscale', en: 'Tax code (codice fiscale)' },
  userCode: { it: 'Codice utente', en: 'Customer code' },
  supplyAddress: { it: "Indirizzo dell'utenza", en: 'Address of the supply' },
  supplyCode: { it: 'Codice utenza', en: 'Supply code' },
  iban: { it: 'IBAN per eventuali rimborsi', en: 'IBAN for refunds' },
  nonDomestic: { it: 'Utenza non domestica (azienda, ente, associazione)', en: 'Non-domestic user (company, public body, association)' },
  companyName: { it: 'Ragione sociale', en: 'Company name' },
  companyVat: { it: 'Partita IVA', en: 'VAT number' },
  filerRole: { it: 'Ruolo di chi presenta la richiesta', en: 'Role of the person filing' },
  privacy: { it: "Ho letto l'informativa sul trattamento dei dati personali (art. 13 GDPR)", en: 'I have read the privacy notice (GDPR art. 13)' },
  mediaUrl: { it: 'Link a foto o documenti', en: 'Link to photos or documents' }
} as const satisfies Record<string, Text>

export type FieldName = keyof typeof FIELD_LABELS

const ERRORS = {
  typeRequired: { it: 'Scegli il tipo di richiesta', en: 'Choose the request type' },
  typeInvalid: { it: "Tipo di richiesta non disponibile: scegline uno dall'elenco", en: 'Request type not available: choose one from the list' },
  serviceRequired: { it: 'Scegli il servizio interessato', en: 'Choose the service concerned' },
  serviceInvalid: { it: "Servizio non disponibile: scegline uno dall'elenco", en: 'Service not available: choose one from the list' },
  subjectRequired: { it: "Scrivi l'oggetto della richiesta", en: 'Write the subject of your request' },
  descriptionRequired: { it: 'Descrivi la tua richiesta', en: 'Describe your request' },
  tooLong: { it: 'Testo troppo lungo: al massimo {max} caratteri (ora sono {length})', en: 'Too long: at most {max} characters (now {length})' },
  locationRequired: {
    it: "Indica l'indirizzo oppure il punto sulla mappa (latitudine e longitudine)",
    en: 'Give the address or the map point (latitude and longitude)'
  },
  latitudeInvalid: {
    it: 'Latitudine non valida: un numero tra -90 e 90, ad esempio 45.4642',
    en: 'Invalid latitude: a number between -90 and 90, e.g. 45.4642'
  },
  longitudeInvalid: {
    it: 'Longitudine non valida: un numero tra -180 e 180, ad esempio 9.19',
    en: 'Invalid longitude: a number between -180 and 180, e.g. 9.19'
  },
  coordinatePair: { it: 'Indica sia la latitudine sia la longitudine, oppure nessuna delle due', en: 'Give both latitude and longitude, or neither' },
  firstNameRequired: { it: 'Scrivi il tuo nome', en: 'Write your first name' },
  lastNameRequired: { it: 'Scrivi il tuo cognome', en: 'Write your last name' },
  emailInvalid: { it: 'Indirizzo email non valido: deve avere la forma nome@dominio.it', en: 'Invalid email address: it must look like name@domain.com' },
  contactRequired: {
    it: 'Indica un indirizzo email oppure un indirizzo postale a cui inviare la risposta',
    en: 'Give an email address or a postal address for the reply'
  },
  phoneInvalid: {
    it: 'Numero di telefono non valido: usa solo cifre, spazi e il prefisso internazionale con +',
    en: 'Invalid phone number: use digits, spaces and an international prefix with +'
  },
  fiscalCodeRequired: {
    it: 'Il codice fiscale è obbligatorio per reclami e richieste di rettifica',
    en: 'The tax code is required for complaints and billing corrections'
  },
  fiscalCodeInvalid: { it: 'Codice fiscale non valido: controlla le 16 lettere e cifre', en: 'Invalid tax code: check its 16 letters and digits' },
  codeInvalid: { it: 'Codice non valido: usa solo lettere, cifre e i caratteri - / .', en: 'Invalid code: use letters, digits and - / . only' },
  ibanFormat: {
    it: 'IBAN non valido: controlla lettere e cifre (un IBAN italiano ha 27 caratteri e inizia con IT)',
    en: 'Invalid IBAN: check its letters and digits (an Italian IBAN has 27 characters and starts with IT)'
  },
  ibanCountry: {
    it: 'IBAN non valido: le prime due lettere non indicano un paese dell’area SEPA',
    en: 'Invalid IBAN: the first two letters are not a SEPA country'
  },
  ibanLength: { it: 'IBAN non valido: la lunghezza non è quella prevista per il paese {country}', en: 'Invalid IBAN: wrong length for country {country}' },
  ibanChecksum: {
    it: 'IBAN non valido: le cifre di controllo non corrispondono, verifica di averlo copiato correttamente',
    en: 'Invalid IBAN: the check digits do not match, check you copied it correctly'
  },
  companyNameRequired: { it: 'Per le utenze non domestiche indica la ragione sociale', en: 'For non-domestic users give the company name' },
  companyVatInvalid: {
    it: 'Partita IVA non valida: servono 11 cifre con la cifra di controllo corretta',
    en: 'Invalid VAT number: 11 digits with a correct check digit'
  },
  privacyRequired: {
    it: "Per inviare la richiesta conferma di aver letto l'informativa sulla privacy",
    en: 'To send the request, confirm you have read the privacy notice'
  },
  fileTooLarge: { it: 'Il file «{name}» supera il limite di {max} MB', en: 'The file "{name}" is larger than {max} MB' },
  fileType: {
    it: 'Il file «{name}» non è di un tipo accettato: carica foto (JPEG, PNG, WebP, HEIC) o documenti (PDF, DOCX, ODT)',
    en: 'The file "{name}" is not an accepted type: upload photos (JPEG, PNG, WebP, HEIC) or documents (PDF, DOCX, ODT)'
  },
  fileEmpty: { it: 'Il file «{name}» è vuoto', en: 'The file "{name}" is empty' },
  tooManyFiles: { it: 'Puoi allegare al massimo {max} file', en: 'You can attach at most {max} files' },
  filesTotal: {
    it: 'I file allegati superano in tutto {max} MB: togline qualcuno o riduci le foto',
    en: 'The attached files exceed {max} MB in total: remove some or shrink the photos'
  },
  mediaUrlInvalid: { it: 'Link non valido: serve un indirizzo che inizia con https:// o http://', en: 'Invalid link: it must start with https:// or http://' }
} as const satisfies Record<string, Text>

export type ErrorKey = keyof typeof ERRORS

export function fieldError(locale: Locale, key: ErrorKey, params: Record<string, string | number> = {}): string {
  return ERRORS[key][locale].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`))
}

export function fieldLabel(locale: Locale, field: FieldName): string {
  return FIELD_LABELS[field][locale]
}
