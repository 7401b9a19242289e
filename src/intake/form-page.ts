// The Sportello On-line pages: the form, the confirmation and the citizen's status page. Server-rendered, so the
// form works without JavaScript; form.js adds in-page submission and error display on top. WCAG 2.1 AA: every
// control has a visible label, hints and errors are tied to it with aria-describedby, invalid fields carry
// aria-invalid, an error summary links to each field, required fields say so in words.
import { SERVICES, requestTypeLabel } from '../domain/arera.js'
import type { Locale } from '../i18n.js'
import type { ResolvedIntakeOptions } from './options.js'
import type { IntakeStatus } from './service.js'
import { fieldLabel, type FieldName } from './texts.js'
import { COMPLAINT_TYPES, LOCATION_TYPES, booleanField, stringField, type FieldErrors, type RawFields } from './validate.js'
import { formatDate } from '../domain/dates.js'
import { escapeHtml } from '../domain/escape.js'

export interface PageContext {
  locale: Locale
  /** The module's route prefix ('' when mounted at the root). */
  base: string
  organizationName: string
  intake: ResolvedIntakeOptions
  embed: boolean
  /** The page's own path, for the language switch. */
  path: string
}

export interface FormState {
  token: string
  values?: RawFields
  errors?: FieldErrors
  /** The error summary's sentence (from the server's error message). */
  message?: string | null
}

const T = {
  title: { it: 'Sportello On-line', en: 'Online counter' },
  lead: {
    it: "Invia una segnalazione, un reclamo o una richiesta sul servizio di igiene urbana. Riceverai un numero di riferimento e, se indichi l'email, una conferma con il termine entro cui ti risponderemo.",
    en: 'Send a report, a complaint or a request about the waste service. You will get a reference number and, if you give your email, a confirmation with the date by which we will reply.'
  },
  requiredNote: { it: 'I campi con la dicitura «obbligatorio» vanno compilati.', en: 'Fields marked "required" must be filled in.' },
  required: { it: 'obbligatorio', en: 'required' },
  optional: { it: 'facoltativo', en: 'optional' },
  choose: { it: 'Scegli…', en: 'Choose…' },
  legendRequest: { it: 'La tua richiesta', en: 'Your request' },
  legendWhere: { it: 'Dove', en: 'Where' },
  legendFiles: { it: 'Foto e documenti', en: 'Photos and documents' },
  legendYou: { it: 'I tuoi dati', en: 'Your details' },
  legendComplaint: { it: 'Dati per reclami e richieste di rettifica', en: 'Details for complaints and billing corrections' },
  legendPrivacy: { it: 'Privacy', en: 'Privacy' },
  complaintIntro: {
    it: 'Per i reclami scritti e le richieste di rettifica degli importi la regolazione ARERA (TQRIF) chiede questi dati: ci permettono di identificare la tua utenza e, se ti spetta, di rimborsarti.',
    en: 'For written complaints and billing corrections the ARERA rules (TQRIF) ask for these details: they identify your supply and, if you are owed money, let us refund you.'
  },
  errorTitle: { it: 'Ci sono errori nel modulo', en: 'There is a problem with the form' },
  errorPrefix: { it: 'Errore:', en: 'Error:' },
  submit: { it: 'Invia la richiesta', en: 'Send the request' },
  geolocate: { it: 'Usa la mia posizione', en: 'Use my location' },
  pointHint: {
    it: 'Facoltativo: il punto esatto, in gradi decimali (ad esempio 45,4642 e 9,1900).',
    en: 'Optional: the exact point, in decimal degrees (e.g. 45.4642 and 9.1900).'
  },
  honeypot: { it: 'Lascia vuoto questo campo', en: 'Leave this field empty' },
  confirmTitle: { it: 'Richiesta inviata', en: 'Request sent' },
  confirmReference: { it: 'Numero di riferimento', en: 'Reference number' },
  confirmMail: {
    it: "Se hai indicato l'email riceverai una conferma con il riepilogo e il termine di risposta. Per aggiungere informazioni rispondi a quell'email.",
    en: 'If you gave your email you will receive a confirmation with a summary and the reply deadline. To add information, reply to that email.'
  },
  confirmStatus: { it: 'Segui lo stato della richiesta', en: 'Follow the status of your request' },
  dueIntro: { it: 'Secondo la regolazione ARERA riceverai una risposta motivata entro il', en: 'Under the ARERA rules you will receive a reasoned reply by' },
  another: { it: "Invia un'altra richiesta", en: 'Send another request' },
  statusTitle: { it: 'Stato della richiesta', en: 'Request status' },
  statusNotes: { it: 'Aggiornamenti', en: 'Updates' },
  statusNoNotes: { it: 'Nessun aggiornamento per ora.', en: 'No updates yet.' },
  receivedOn: { it: 'Ricevuta il', en: 'Received on' },
  dueBy: { it: 'Risposta entro il', en: 'Reply due by' },
  otherLanguage: { it: 'English', en: 'Italiano' },
  publicTitle: { it: 'Cosa sarà pubblico', en: 'What will be public' },
  publicText: {
    it: "Le segnalazioni di disservizio compaiono nell'elenco pubblico delle segnalazioni (anche nelle app collegate) solo con la categoria, lo stato e la zona approssimativa (circa 100 metri). La descrizione, le foto e l'indirizzo esatto diventano pubblici solo se un nostro operatore li approva, dopo aver tolto i dati personali. Per tutte le altre richieste (reclami, informazioni, rettifiche, ritiri, riparazioni) sono pubblici solo la categoria e lo stato. Nome, email, telefono, codice fiscale e dati dell'utenza non sono mai pubblicati.",
    en: 'Service-failure reports appear in the public list of reports (also in connected apps) with only their category, status and approximate area (about 100 metres). The description, photos and exact address become public only if one of our operators approves them, after removing personal data. For every other request (complaints, information, billing corrections, collections, repairs) only the category and the status are public. Your name, email, phone, tax code and supply details are never published.'
  }
} as const satisfies Record<string, Record<Locale, string>>

const HINTS: Partial<Record<FieldName, Record<Locale, string>>> = {
  subject: { it: 'Una frase breve, ad esempio «Cassonetto non svuotato in via Roma».', en: 'A short sentence, e.g. "Bin not emptied in Via Roma".' },
  description: {
    it: 'Racconta cosa è successo, quando e dove. Non inserire dati sulla salute.',
    en: 'Tell us what happened, when and where. Do not include health data.'
  },
  address: {
    it: 'Via, numero civico e comune. Serve per segnalazioni, ritiri e riparazioni, se non indichi il punto sulla mappa.',
    en: 'Street, number and town. Needed for reports, collections and repairs unless you give the map point.'
  },
  email: {
    it: "Per la conferma e la risposta. Serve l'email oppure l'indirizzo postale.",
    en: 'For the confirmation and the reply. Give an email or a postal address.'
  },
  postalAddress: { it: 'Se preferisci ricevere la risposta per posta.', en: 'If you prefer to receive the reply by post.' },
  fiscalCode: {
    it: '16 lettere e cifre. Obbligatorio per reclami e richieste di rettifica.',
    en: '16 letters and digits. Required for complaints and billing corrections.'
  },
  userCode: { it: "Lo trovi sull'avviso di pagamento TARI.", en: 'You find it on the TARI payment notice.' },
  supplyCode: {
    it: "Lo trovi sull'avviso di pagamento TARI, accanto all'indirizzo dell'utenza.",
    en: 'On the TARI payment notice, next to the supply address.'
  },
  iban: {
    it: 'Solo se chiedi un rimborso. Un IBAN italiano ha 27 caratteri e inizia con IT.',
    en: 'Only if you ask for a refund. An Italian IBAN has 27 characters and starts with IT.'
  },
  companyName: {
    it: "Per le utenze non domestiche nome e cognome sopra sono quelli di chi presenta la richiesta per l'azienda o l'ente.",
    en: 'For non-domestic users the name above is that of the person filing for the company or body.'
  },
  filerRole: { it: 'Ad esempio legale rappresentante, amministratore, delegato.', en: 'E.g. legal representative, director, delegate.' }
}

const fileHint = (locale: Locale, o: ResolvedIntakeOptions) => {
  const mb = Math.round(o.maxFileBytes / 1024 / 1024)
  return locale === 'it'
    ? `Facoltativo. Fino a ${o.maxFiles} file da ${mb} MB ciascuno: foto (JPEG, PNG, WebP, HEIC) o documenti (PDF, DOCX, ODT).`
    : `Optional. Up to ${o.maxFiles} files of ${mb} MB each: photos (JPEG, PNG, WebP, HEIC) or documents (PDF, DOCX, ODT).`
}

interface FieldSpec {
  name: FieldName
  required?: boolean
  type?: string
  autocomplete?: string
  inputmode?: string
  maxlength?: number
  hint?: string
  /** Another element that describes the control (a hint shared by two fields). */
  describedBy?: string
}

function describe(name: string, hint: boolean, error: boolean, extra?: string): string {
  const ids = [extra ?? '', hint ? `field-${name}-hint` : '', error ? `field-${name}-error` : ''].filter(Boolean).join(' ')
  return ids ? ` aria-describedby="${ids}"` : ''
}

function labelHtml(locale: Locale, name: FieldName, required: boolean | undefined): string {
  const mark = required ? ` <span class="req">(${T.required[locale]})</span>` : ''
  return `<label for="field-${name}">${escapeHtml(fieldLabel(locale, name))}${mark}</label>`
}

function extras(hint: string | undefined, name: string, message: string | undefined, locale: Locale): string {
  return (
    (hint ? `<p class="hint" id="field-${name}-hint">${escapeHtml(hint)}</p>` : '') +
    `<p class="error-text" id="field-${name}-error"${message ? '' : ' hidden'}><span class="visually-hidden">${T.errorPrefix[locale]} </span><span class="msg">${escapeHtml(message ?? '')}</span></p>`
  )
}

function control(ctx: PageContext, state: FormState, spec: FieldSpec, kind: 'input' | 'textarea' = 'input'): string {
  const { locale } = ctx
  const value = stringField(state.values ?? {}, spec.name)
  const message = state.errors?.[spec.name]
  const hint = spec.hint ?? HINTS[spec.name]?.[locale]
  const attrs =
    [
      `id="field-${spec.name}"`,
      `name="${spec.name}"`,
      spec.required ? 'required aria-required="true"' : '',
      spec.autocomplete ? `autocomplete="${spec.autocomplete}"` : '',
      spec.inputmode ? `inputmode="${spec.inputmode}"` : '',
      spec.maxlength ? `maxlength="${spec.maxlength}"` : '',
      message ? 'aria-invalid="true"' : ''
    ]
      .filter(Boolean)
      .join(' ') + describe(spec.name, !!hint, !!message, spec.describedBy)
  const field =
    kind === 'textarea'
      ? `<textarea ${attrs} rows="7">${escapeHtml(value)}</textarea>`
      : `<input type="${spec.type ?? 'text'}" ${attrs} value="${escapeHtml(value)}">`
  return `<div class="field${message ? ' has-error' : ''}" data-field="${spec.name}">${labelHtml(locale, spec.name, spec.required)}${extras(hint, spec.name, message, locale)}${field}</div>`
}

function select(ctx: PageContext, state: FormState, name: 'type' | 'service', options: Array<{ value: string; label: string }>): string {
  const { locale } = ctx
  const value = stringField(state.values ?? {}, name)
  const message = state.errors?.[name]
  const opts = [
    `<option value="">${T.choose[locale]}</option>`,
    ...options.map((o) => `<option value="${escapeHtml(o.value)}"${o.value === value ? ' selected' : ''}>${escapeHtml(o.label)}</option>`)
  ]
  return (
    `<div class="field${message ? ' has-error' : ''}" data-field="${name}">${labelHtml(locale, name, true)}${extras(undefined, name, message, locale)}` +
    `<select id="field-${name}" name="${name}" required aria-required="true"${message ? ' aria-invalid="true"' : ''}${describe(name, false, !!message)}>${opts.join('')}</select></div>`
  )
}

function checkbox(ctx: PageContext, state: FormState, name: 'privacy' | 'nonDomestic', required: boolean): string {
  const { locale } = ctx
  const message = state.errors?.[name]
  const checked = booleanField(state.values ?? {}, name) ? ' checked' : ''
  return (
    `<div class="field checkbox${message ? ' has-error' : ''}" data-field="${name}">${extras(undefined, name, message, locale)}` +
    `<input type="checkbox" id="field-${name}" name="${name}" value="true"${checked}${required ? ' required aria-required="true"' : ''}${message ? ' aria-invalid="true"' : ''}${describe(name, false, !!message)}>` +
    `${labelHtml(locale, name, required)}</div>`
  )
}

function privacyNotice(ctx: PageContext): string {
  const org = escapeHtml(ctx.organizationName)
  const link = ctx.intake.privacyUrl
    ? `<p><a href="${escapeHtml(ctx.intake.privacyUrl)}" target="_blank" rel="noopener">${ctx.locale === 'it' ? "Leggi l'informativa completa (si apre in una nuova finestra)" : 'Read the full notice (opens in a new window)'}</a></p>`
    : ''
  return ctx.locale === 'it'
    ? `<details><summary>Informativa sul trattamento dei dati personali (art. 13 GDPR)</summary>
<p>Titolare del trattamento è ${org}. Trattiamo i dati che inserisci per gestire la tua richiesta e per rispettare la regolazione ARERA sulla qualità del servizio rifiuti (delibera 15/2022/R/rif, TQRIF), che impone di registrare le richieste, le risposte e i tempi.</p>
<p>Base giuridica: obblighi di legge e svolgimento del servizio pubblico (art. 6, par. 1, lettere c ed e, GDPR). I dati sono conservati per il tempo richiesto dagli obblighi di registrazione e di comunicazione all'Autorità, sono trattati solo dal personale incaricato e dai fornitori che gestiscono il servizio per nostro conto, e non sono diffusi, salvo quanto indicato sopra in «Cosa sarà pubblico».</p>
<p>Puoi chiedere l'accesso ai tuoi dati, la rettifica, la cancellazione, la limitazione e opporti al trattamento (artt. 15–22 GDPR) scrivendo al titolare, e puoi proporre reclamo al Garante per la protezione dei dati personali.</p>${link}</details>`
    : `<details><summary>Privacy notice (GDPR art. 13)</summary>
<p>The data controller is ${org}. We process the details you enter to handle your request and to comply with ARERA's waste-service quality rules (resolution 15/2022/R/rif, TQRIF), which require requests, replies and times to be recorded.</p>
<p>Legal basis: legal obligations and the performance of a public service (GDPR art. 6(1)(c) and (e)). Data are kept as long as the recording and reporting obligations require, are processed only by authorised staff and by the suppliers running the service on our behalf, and are not published, except as stated above under "What will be public".</p>
<p>You may ask for access, rectification, erasure, restriction and object to processing (GDPR arts. 15–22) by writing to the controller, and you may lodge a complaint with the Italian data protection authority (Garante).</p>${link}</details>`
}

function layout(ctx: PageContext, title: string, body: string, config?: Record<string, unknown>): string {
  const { locale, base } = ctx
  const other: Locale = locale === 'it' ? 'en' : 'it'
  const switchHref = `${escapeHtml(ctx.path)}?lang=${other}${ctx.embed ? '&amp;embed=1' : ''}`
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} – ${escapeHtml(ctx.organizationName)}</title>
<link rel="stylesheet" href="${base}/intake/form.css">
${config ? `<script type="application/json" id="trc-intake-config">${JSON.stringify(config).replace(/</g, '\\u003c')}</script>\n<script src="${base}/intake/form.js" defer></script>` : ''}
</head>
<body${ctx.embed ? ' class="embed"' : ''}>
<header class="top"><p class="org">${escapeHtml(ctx.organizationName)}</p><p class="lang"><a href="${switchHref}" hreflang="${other}" lang="${other}">${T.otherLanguage[locale]}</a></p></header>
<main id="main">
${body}
</main>
</body>
</html>`
}

function errorSummary(ctx: PageContext, state: FormState): string {
  const errors = Object.entries(state.errors ?? {}) as Array<[FieldName, string]>
  const show = errors.length > 0 || !!state.message
  const items = errors.map(([name, msg]) => `<li><a href="#field-${name}">${escapeHtml(msg)}</a></li>`).join('')
  return `<div id="trc-error-summary" class="error-summary" tabindex="-1" role="alert" aria-labelledby="trc-error-title"${show ? '' : ' hidden'}>
<h2 id="trc-error-title">${T.errorTitle[ctx.locale]}</h2>
<p class="summary-message">${escapeHtml(state.message ?? '')}</p>
<ul>${items}</ul>
</div>`
}

export function renderFormPage(ctx: PageContext, state: FormState): string {
  const { locale, intake, base } = ctx
  const values = state.values ?? {}
  const selectedType = stringField(values, 'type')
  const typeOptions = intake.types.map((t) => ({ value: t.type, label: t.label[locale] ?? requestTypeLabel(t.type, locale) }))
  const serviceOptions = SERVICES.map((s) => ({ value: s.code, label: s.label[locale] }))
  const showCompany = booleanField(values, 'nonDomestic') || !!state.errors?.companyName
  const complaintTypes = intake.types.filter((t) => COMPLAINT_TYPES.has(t.type)).map((t) => t.type)
  const action = `${base}/intake/web?lang=${locale}${ctx.embed ? '&amp;embed=1' : ''}`
  const body = `<h1>${T.title[locale]}</h1>
<p class="lead">${escapeHtml(T.lead[locale])}</p>
<p>${T.requiredNote[locale]}</p>
${errorSummary(ctx, state)}
<form id="trc-form" method="post" action="${action}" enctype="multipart/form-data">
<input type="hidden" name="formToken" value="${escapeHtml(state.token)}">
<fieldset><legend>${T.legendRequest[locale]}</legend>
${select(ctx, state, 'type', typeOptions)}
${select(ctx, state, 'service', serviceOptions)}
${control(ctx, state, { name: 'subject', required: true, maxlength: 200 })}
${control(ctx, state, { name: 'description', required: true, maxlength: 10000 }, 'textarea')}
</fieldset>
<fieldset id="trc-where"><legend>${T.legendWhere[locale]}</legend>
${control(ctx, state, { name: 'address', autocomplete: 'street-address', maxlength: 300 })}
<div class="point">
<p class="hint" id="trc-point-hint">${escapeHtml(T.pointHint[locale])}</p>
<div class="pair">
${control(ctx, state, { name: 'latitude', inputmode: 'decimal', maxlength: 20, hint: '', describedBy: 'trc-point-hint' })}
${control(ctx, state, { name: 'longitude', inputmode: 'decimal', maxlength: 20, hint: '', describedBy: 'trc-point-hint' })}
</div>
<button type="button" id="trc-geolocate" class="secondary" hidden>${T.geolocate[locale]}</button>
<p id="trc-geolocate-status" class="hint" aria-live="polite"></p>
</div>
</fieldset>
<fieldset><legend>${T.legendFiles[locale]}</legend>
<div class="field${state.errors?.attachments ? ' has-error' : ''}" data-field="attachments">
<label for="field-attachments">${escapeHtml(fieldLabel(locale, 'attachments'))}</label>
${extras(fileHint(locale, intake), 'attachments', state.errors?.attachments, locale)}
<input type="file" id="field-attachments" name="attachments" multiple accept="image/jpeg,image/png,image/webp,image/heic,.heic,application/pdf,.pdf,.docx,.odt"${state.errors?.attachments ? ' aria-invalid="true"' : ''}${describe('attachments', true, !!state.errors?.attachments)}>
</div>
</fieldset>
<fieldset><legend>${T.legendYou[locale]}</legend>
<div class="pair">
${control(ctx, state, { name: 'firstName', required: true, autocomplete: 'given-name', maxlength: 100 })}
${control(ctx, state, { name: 'lastName', required: true, autocomplete: 'family-name', maxlength: 100 })}
</div>
${control(ctx, state, { name: 'email', type: 'email', autocomplete: 'email', maxlength: 254 })}
${control(ctx, state, { name: 'phone', type: 'tel', autocomplete: 'tel', maxlength: 30 })}
${control(ctx, state, { name: 'postalAddress', autocomplete: 'street-address', maxlength: 300 })}
${control(ctx, state, { name: 'fiscalCode', maxlength: 16, autocomplete: 'off' })}
</fieldset>
<fieldset id="trc-complaint" data-types="${escapeHtml(complaintTypes.join(' '))}"><legend>${T.legendComplaint[locale]}</legend>
<p class="hint">${escapeHtml(T.complaintIntro[locale])}</p>
${control(ctx, state, { name: 'userCode', maxlength: 50 })}
${control(ctx, state, { name: 'supplyAddress', maxlength: 300 })}
${control(ctx, state, { name: 'supplyCode', maxlength: 50 })}
${control(ctx, state, { name: 'iban', maxlength: 42, autocomplete: 'off' })}
${checkbox(ctx, state, 'nonDomestic', false)}
<div id="trc-company"${showCompany ? '' : ' data-collapsed="true"'}>
${control(ctx, state, { name: 'companyName', autocomplete: 'organization', maxlength: 200 })}
${control(ctx, state, { name: 'companyVat', maxlength: 13 })}
${control(ctx, state, { name: 'filerRole', autocomplete: 'organization-title', maxlength: 100 })}
</div>
</fieldset>
<fieldset><legend>${T.legendPrivacy[locale]}</legend>
<section class="public-notice" aria-labelledby="trc-public-title"><h2 id="trc-public-title">${T.publicTitle[locale]}</h2><p id="trc-public-text">${escapeHtml(T.publicText[locale])}</p></section>
${privacyNotice(ctx)}
${checkbox(ctx, state, 'privacy', true)}
</fieldset>
<div class="trc-hp" aria-hidden="true"><label for="trc-website">${T.honeypot[locale]}</label><input type="text" id="trc-website" name="website" tabindex="-1" autocomplete="off" value=""></div>
<p><button type="submit" id="trc-submit">${T.submit[locale]}</button></p>
</form>
${confirmationSection(ctx, null)}`
  const config = {
    locale,
    embed: ctx.embed,
    complaintTypes,
    locationTypes: intake.types.filter((t) => LOCATION_TYPES.has(t.type)).map((t) => t.type),
    selectedType,
    texts: {
      sending: locale === 'it' ? 'Invio in corso…' : 'Sending…',
      network: locale === 'it' ? 'Invio non riuscito: controlla la connessione e riprova.' : 'Sending failed: check your connection and try again.',
      locating: locale === 'it' ? 'Ricerca della posizione…' : 'Finding your location…',
      located: locale === 'it' ? 'Posizione inserita.' : 'Location filled in.',
      locateFailed: locale === 'it' ? "Posizione non disponibile: inserisci l'indirizzo." : 'Location not available: enter the address.'
    }
  }
  return layout(ctx, T.title[locale], body, config)
}

interface ConfirmationData {
  reference: string
  statusUrl: string
  dueDate: string | null
}

function confirmationSection(ctx: PageContext, receipt: ConfirmationData | null): string {
  const { locale, base } = ctx
  const due = receipt?.dueDate ? formatDate(receipt.dueDate, locale, false) : ''
  const formUrl = `${base}/intake/form?lang=${locale}${ctx.embed ? '&amp;embed=1' : ''}`
  return `<section id="trc-confirmation" class="confirmation" tabindex="-1" aria-labelledby="trc-confirmation-title"${receipt ? '' : ' hidden'}>
<h2 id="trc-confirmation-title">${T.confirmTitle[locale]}</h2>
<p>${T.confirmReference[locale]}: <strong id="trc-reference">${escapeHtml(receipt?.reference ?? '')}</strong></p>
<p id="trc-due"${due ? '' : ' hidden'}>${T.dueIntro[locale]} <strong id="trc-due-date">${escapeHtml(due)}</strong>.</p>
<p>${escapeHtml(T.confirmMail[locale])}</p>
<p><a id="trc-status-link" href="${escapeHtml(receipt?.statusUrl ?? '#')}">${T.confirmStatus[locale]}</a></p>
<p><a href="${formUrl}">${T.another[locale]}</a></p>
</section>`
}

/** The page a browser without JavaScript gets after a successful submission. */
export function renderConfirmationPage(ctx: PageContext, receipt: ConfirmationData): string {
  return layout(ctx, T.confirmTitle[ctx.locale], `<h1>${T.title[ctx.locale]}</h1>\n${confirmationSection(ctx, receipt)}`)
}

/** The citizen's view of their request (the same data as the JSON status endpoint). */
export function renderStatusPage(ctx: PageContext, s: IntakeStatus): string {
  const { locale } = ctx
  const notes = s.notes.length
    ? `<ol class="notes">${s.notes.map((n) => `<li><p class="when">${escapeHtml(formatDate(n.at, locale, true))}</p>${n.html}</li>`).join('')}</ol>`
    : `<p>${T.statusNoNotes[locale]}</p>`
  const rows: Array<[string, string | null]> = [
    [T.confirmReference[locale], s.reference],
    [locale === 'it' ? 'Stato' : 'Status', s.statusLabel],
    [fieldLabel(locale, 'type'), s.typeLabel],
    [fieldLabel(locale, 'service'), s.serviceLabel],
    [T.receivedOn[locale], formatDate(s.receivedAt, locale, true)],
    [T.dueBy[locale], s.dueDate ? formatDate(s.dueDate, locale, false) : null]
  ]
  const body = `<h1>${T.statusTitle[locale]}</h1>
<dl class="status">${rows
    .filter((r): r is [string, string] => !!r[1])
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join('')}</dl>
<h2>${T.statusNotes[locale]}</h2>
${notes}`
  return layout(ctx, T.statusTitle[locale], body)
}
