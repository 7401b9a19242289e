// User-facing text in Italian (default) and English. Keys are English; messages are what an operator reads.
import type { FastifyRequest } from 'fastify'

export type Locale = 'it' | 'en'

const messages = {
  unauthorized: { it: 'Autenticazione richiesta: accedi per continuare.', en: 'Authentication required: please sign in.' },
  forbidden: { it: 'Non hai il permesso di eseguire questa operazione ({permission}).', en: 'You do not have permission for this operation ({permission}).' },
  workOrderNotFound: { it: 'Ordine di lavoro {id} non trovato.', en: 'Work order {id} not found.' },
  messageNotFound: { it: 'Messaggio {id} non trovato.', en: 'Message {id} not found.' },
  attachmentNotFound: { it: 'Allegato {id} non trovato.', en: 'Attachment {id} not found.' },
  contributorNotFound: { it: 'Contribuente {id} non trovato.', en: 'Contributor {id} not found.' },
  mailboxNotFound: { it: 'Casella di posta {id} non trovata.', en: 'Mailbox {id} not found.' },
  spamNotFound: { it: 'Messaggio {id} non trovato nella lista spam.', en: 'Message {id} is not in the spam list.' },
  spamAlreadyReleased: { it: 'Il messaggio {id} è già stato rilasciato dalla lista spam.', en: 'Message {id} has already been released from the spam list.' },
  spamNoSender: { it: 'Il messaggio {id} non ha un mittente valido da bloccare.', en: 'Message {id} has no valid sender to block.' },
  blockRuleInvalid: {
    it: 'Regola non valida: "{value}". Indica un indirizzo (nome@dominio.it) o un dominio (@dominio.it).',
    en: 'Invalid rule: "{value}". Give an address (name@domain.it) or a domain (@domain.it).'
  },
  blockRuleExists: { it: 'Il mittente {pattern} è già bloccato.', en: 'Sender {pattern} is already blocked.' },
  archiveNotConnected: {
    it: "La casella {id} non si è ancora collegata: l'archivio si importa dopo il primo collegamento, che segna dove finisce lo storico.",
    en: 'Mailbox {id} has not connected yet: history is imported after the first connection, which marks where history ends.'
  },
  archiveRunning: {
    it: "Per la casella {id} è già in corso un'importazione dell'archivio: attendi che finisca.",
    en: 'An archive import is already running for mailbox {id}: wait for it to finish.'
  },
  blockRuleNotFound: { it: 'Regola di blocco {id} non trovata.', en: 'Block rule {id} not found.' },
  invalidId: { it: 'Identificativo non valido: "{value}". Serve un numero intero positivo.', en: 'Invalid id: "{value}". A positive integer is required.' },
  invalidRequest: { it: 'Richiesta non valida: {detail}', en: 'Invalid request: {detail}' },
  internalError: {
    it: "Errore interno: riprova più tardi. Se il problema persiste contatta l'assistenza.",
    en: 'Internal error: please try again later. If the problem persists, contact support.'
  },
  notFound: { it: 'Risorsa non trovata.', en: 'Resource not found.' },
  unsupportedMediaType: {
    it: 'Formato del corpo non supportato: invia JSON (application/json) oppure, dove previsto, un modulo multipart/form-data.',
    en: 'Unsupported body format: send JSON (application/json) or, where accepted, a multipart/form-data form.'
  },
  invalidJsonBody: { it: 'Il corpo della richiesta non è un JSON valido.', en: 'The request body is not valid JSON.' },
  emptyJsonBody: {
    it: 'Il corpo della richiesta è vuoto: con Content-Type application/json serve un oggetto JSON.',
    en: 'The request body is empty: with Content-Type application/json a JSON object is required.'
  },
  bodyTooLarge: { it: 'Il corpo della richiesta è troppo grande.', en: 'The request body is too large.' },
  duplicateParameter: {
    it: 'Il parametro "{name}" è indicato più volte: indicalo una volta sola (un solo valore).',
    en: 'Parameter "{name}" is given more than once: give it once (a single value).'
  },
  invalidEncoding: {
    it: 'Il parametro "{name}" non è testo UTF-8 valido (contiene byte non validi o il carattere nullo): correggilo e invia di nuovo.',
    en: 'Parameter "{name}" is not valid UTF-8 text (it contains invalid bytes or the null character): correct it and send again.'
  },
  notFoundRoute: { it: 'Risorsa non trovata: {method} {url}', en: 'Resource not found: {method} {url}' },
  searchTooShort: {
    it: 'Testo da cercare troppo corto: scrivi almeno {min} caratteri (lettere o cifre).',
    en: 'Search text too short: type at least {min} characters (letters or digits).'
  },
  worklistAdminQueue: {
    it: 'Le code Spam e Quarantena sono riservate agli amministratori: chiedi a un amministratore di controllarle.',
    en: 'The Spam and Quarantine queues are for administrators only: ask an administrator to review them.'
  },
  worklistInvalidCursor: {
    it: 'Il cursore di pagina "{value}" non è valido: usa il valore nextCursor della pagina precedente.',
    en: 'Page cursor "{value}" is not valid: use the nextCursor of the previous page.'
  },
  // Timeline lines the module writes
  confirmationWithheld: {
    it: 'Conferma non inviata: mittente non autenticato ({to}). Il server di posta non ha confermato che il messaggio venga da questo indirizzo ({detail}): la richiesta è aperta, verifica il mittente prima di rispondere.',
    en: 'Confirmation not sent: sender not authenticated ({to}). The mail server did not confirm that the message comes from this address ({detail}): the request is open; check the sender before replying.'
  },
  // Replies, forwards, notes, state changes, conversation document
  emptyBody: { it: 'Il testo è vuoto: scrivi il messaggio prima di inviarlo.', en: 'The text is empty: write the message before sending it.' },
  invalidAddress: { it: 'Indirizzo email non valido nel campo "{field}": {value}', en: 'Invalid email address in field "{field}": {value}' },
  noRecipient: {
    it: 'Nessun destinatario: indica almeno un indirizzo nel campo "A" (il contribuente non ha un indirizzo email noto).',
    en: 'No recipient: give at least one address in the "To" field (the contributor has no known email address).'
  },
  noSender: {
    it: "Nessun mittente configurato per la posta in uscita: imposta l'indirizzo della casella di posta o l'opzione mail.from.",
    en: 'No sender is configured for outgoing mail: set the mailbox address or the mail.from option.'
  },
  attachmentTooLarge: {
    it: 'L\'allegato "{filename}" supera il limite di {limit} per file.',
    en: 'Attachment "{filename}" exceeds the limit of {limit} per file.'
  },
  outboundTooLarge: {
    it: 'Gli allegati ({size}) superano il limite di {limit} per messaggio: togli qualche file o invialo in più messaggi.',
    en: 'The attachments ({size}) exceed the limit of {limit} per message: remove some files or send them in several messages.'
  },
  tooManyFiles: { it: 'Troppi allegati: al massimo {max} file per messaggio.', en: 'Too many attachments: at most {max} files per message.' },
  attachmentNotInConversation: {
    it: "L'allegato {id} non appartiene alla conversazione di questo ordine di lavoro.",
    en: "Attachment {id} does not belong to this work order's conversation."
  },
  messageNotInConversation: {
    it: 'Il messaggio {id} non appartiene alla conversazione di questo ordine di lavoro.',
    en: "Message {id} does not belong to this work order's conversation."
  },
  noteNotForwardable: {
    it: 'Il messaggio {id} è una nota interna: le note interne non si inoltrano.',
    en: 'Message {id} is an internal note: internal notes are never forwarded.'
  },
  nothingToForward: { it: "Non c'è nessun messaggio da inoltrare in questa conversazione.", en: 'There is no message to forward in this conversation.' },
  invalidState: {
    it: 'Stato "{state}" non valido: usa open (aperto), in_progress (in lavorazione), waiting (in attesa) o closed (chiuso).',
    en: 'Invalid state "{state}": use open, in_progress, waiting or closed.'
  },
  invalidUpload: { it: 'Il modulo inviato non è leggibile: {detail}', en: 'The submitted form cannot be read: {detail}' },
  stateNotMapped: { it: 'Lo stato "{state}" non è configurato per questo gestionale.', en: 'State "{state}" is not configured for this host.' },
  uiBundleMissing: {
    it: "L'interfaccia Comunicazioni non è stata compilata ({file} mancante): esegui `node ui-extension/build.mjs`.",
    en: 'The Communications UI has not been built ({file} is missing): run `node ui-extension/build.mjs`.'
  },
  // Templates, signatures, merge and links
  templateNotFound: { it: 'Modello {id} non trovato.', en: 'Template {id} not found.' },
  templateUnknownPlaceholder: {
    it: 'Il modello contiene segnaposto sconosciuti: {list}. Quelli ammessi sono elencati in GET /templates/placeholders; un campo da compilare va dichiarato in "fields" e scritto {{campo.nome}}.',
    en: 'The template contains unknown placeholders: {list}. The allowed ones are listed by GET /templates/placeholders; a field to fill in must be declared in "fields" and written {{campo.name}}.'
  },
  templateInvalid: { it: 'Modello non valido: {detail}.', en: 'Invalid template: {detail}.' },
  mergeSelf: { it: 'Un ordine di lavoro non si può unire a se stesso.', en: 'A work order cannot be merged into itself.' },
  mergeAlreadyMerged: {
    it: "L'ordine di lavoro {id} è già unito all'ordine {into}: annulla prima quell'unione.",
    en: 'Work order {id} is already merged into {into}: undo that merge first.'
  },
  mergeTargetMerged: {
    it: "L'ordine di lavoro {id} è a sua volta unito all'ordine {into}: unisci a quest'ultimo.",
    en: 'Work order {id} is itself merged into {into}: merge into that one instead.'
  },
  notMerged: {
    it: "L'ordine di lavoro {id} non è unito a nessun altro: non c'è nulla da annullare.",
    en: 'Work order {id} is not merged into another: there is nothing to undo.'
  },
  notificationEmailMissing: {
    it: 'Non risulta un indirizzo email per il tuo utente: le notifiche via email non si possono attivare.',
    en: 'Your user has no email address: email notifications cannot be turned on.'
  },
  splitMerged: {
    it: "L'ordine di lavoro {id} è unito all'ordine {into}: i messaggi si separano da quest'ultimo.",
    en: 'Work order {id} is merged into {into}: split the messages out of that one.'
  },
  splitForeignMessages: {
    it: "Questi messaggi non fanno parte dell'ordine di lavoro {id}: {list}.",
    en: 'These messages are not part of work order {id}: {list}.'
  },
  splitEverything: {
    it: "Non si possono separare tutti i messaggi dell'ordine di lavoro {id}: ne resterebbe vuoto. Per spostarli tutti, unisci gli ordini.",
    en: 'Not every message of work order {id} can be split out: it would be left empty. To move them all, merge the work orders.'
  },
  linkSelf: { it: 'Un ordine di lavoro non si può collegare a se stesso.', en: 'A work order cannot be linked to itself.' },
  unresolvedPlaceholders: {
    it: 'Il testo contiene ancora segnaposto da compilare: {list}. Completali o eliminali prima di inviare.',
    en: 'The text still contains placeholders to fill in: {list}. Complete or remove them before sending.'
  },
  // ARERA clock, register and indicators
  workOrderNotTracked: {
    it: "L'ordine di lavoro {id} non è stato aperto dal modulo Comunicazioni: non ha un codice di richiesta né un termine ARERA.",
    en: 'Work order {id} was not opened by the Communications module: it has no request code and no ARERA deadline.'
  },
  invalidRequestType: {
    it: 'Tipo di richiesta non valido: "{value}". Valori ammessi: {allowed}.',
    en: 'Invalid request type: "{value}". Allowed values: {allowed}.'
  },
  invalidService: { it: 'Servizio non valido: "{value}". Valori ammessi: {allowed}.', en: 'Invalid service: "{value}". Allowed values: {allowed}.' },
  invalidClockAction: {
    it: 'Azione non valida: "{value}". Valori ammessi: suspend (sospendi), resume (riprendi), extend (proroga).',
    en: 'Invalid action: "{value}". Allowed values: suspend, resume, extend.'
  },
  clockReasonRequired: {
    it: 'Indica il motivo (almeno 3 caratteri): ogni sospensione, ripresa o proroga resta registrata.',
    en: 'Give a reason (at least 3 characters): every suspension, resumption or extension is recorded.'
  },
  clockDaysInvalid: {
    it: 'Per una proroga indica "days": un numero intero di giorni lavorativi da 1 a 120.',
    en: 'An extension needs "days": a whole number of working days from 1 to 120.'
  },
  clockRefusedNoStandard: {
    it: "Questo tipo di richiesta non ha uno standard ARERA: non c'è un termine da sospendere o prorogare.",
    en: 'This request type has no ARERA standard: there is no deadline to suspend or extend.'
  },
  clockRefusedReplied: {
    it: 'La risposta motivata è già stata inviata: il termine è chiuso.',
    en: 'The reasoned reply has already been sent: the clock is stopped.'
  },
  clockRefusedAlreadySuspended: { it: 'Il termine è già sospeso.', en: 'The clock is already suspended.' },
  clockRefusedNotSuspended: { it: "Il termine non è sospeso: non c'è nulla da riprendere.", en: 'The clock is not suspended: there is nothing to resume.' },
  clockRefusedLate: {
    it: 'Il termine è già scaduto: non si può sospendere a posteriori. Registra invece la causa del mancato rispetto.',
    en: 'The deadline has already passed: the clock cannot be suspended after the fact. Record the cause of the miss instead.'
  },
  invalidMissCause: {
    it: 'Causa non valida: "{value}". Valori ammessi: {allowed} (oppure null per cancellarla).',
    en: 'Invalid cause: "{value}". Allowed values: {allowed} (or null to clear it).'
  },
  missCauseNotApplicable: {
    it: 'La causa del mancato rispetto si registra solo per le richieste che non hanno rispettato lo standard.',
    en: 'A miss cause can only be recorded for requests that missed their standard.'
  },
  // ARERA second clock, territories, standards changed at run time (issue 13)
  dueDateReasonRequired: {
    it: 'Questa richiesta resterebbe senza scadenza ("{type}" non ha uno standard in vigore): indica in "noDueDateReason" perché (almeno 3 caratteri), oppure scegli un altro tipo.',
    en: 'This request would have no due date ("{type}" has no standard in force): give the reason in "noDueDateReason" (at least 3 characters), or choose another type.'
  },
  invalidServiceClock: {
    it: 'Secondo termine non valido: "{value}". Valori ammessi: {allowed} (oppure null per toglierlo).',
    en: 'Invalid second clock: "{value}". Allowed values: {allowed} (or null to remove it).'
  },
  serviceClockMissing: {
    it: 'Questo ordine di lavoro non ha un secondo termine: confermalo prima con "type".',
    en: 'This work order has no second clock: confirm one first with "type".'
  },
  serviceClockOff: {
    it: 'Lo standard "{type}" è disattivato per questo territorio: il secondo termine non avrebbe scadenza.',
    en: 'Standard "{type}" is switched off for this territory: the second clock would have no due date.'
  },
  serviceDoneInvalid: {
    it: "La data di esecuzione del servizio non è valida o precede l'inizio del termine.",
    en: 'The date the service was performed is not valid or comes before the clock started.'
  },
  invalidTerritory: { it: 'Territorio non valido: "{value}". Valori ammessi: {allowed}.', en: 'Invalid territory: "{value}". Allowed values: {allowed}.' },
  invalidStandard: { it: 'Standard non valido: "{value}". Valori ammessi: {allowed}.', en: 'Invalid standard: "{value}". Allowed values: {allowed}.' },
  standardDaysInvalid: {
    it: '"workingDays" deve essere un numero intero di giorni lavorativi da 1 a 365, oppure null per disattivare lo standard.',
    en: '"workingDays" must be a whole number of working days from 1 to 365, or null to switch the standard off.'
  },
  standardReasonRequired: {
    it: 'Indica il motivo della modifica dello standard (almeno 3 caratteri): resta nel registro delle modifiche.',
    en: 'Give the reason for changing the standard (at least 3 characters): it stays in the audit log.'
  },
  dateParamMissing: {
    it: 'Manca il parametro "{name}": indica una data nel formato AAAA-MM-GG (per esempio 2026-01-31).',
    en: 'Parameter "{name}" is missing: give a date as YYYY-MM-DD (for example 2026-01-31).'
  },
  dateParamInvalid: {
    it: 'Il parametro "{name}" non è una data valida: "{value}". Usa un giorno che esiste, dal {min} al {max}, nel formato AAAA-MM-GG (per esempio 2026-01-31).',
    en: 'Parameter "{name}" is not a valid date: "{value}". Use a day that exists, from {min} to {max}, as YYYY-MM-DD (for example 2026-01-31).'
  },
  dateRangeInverted: {
    it: 'Intervallo non valido: la data iniziale ({from}) è successiva a quella finale ({to}).',
    en: 'Invalid range: the start date ({from}) is after the end date ({to}).'
  },
  yearParamInvalid: {
    it: 'Anno non valido: "{value}". Indica un anno dal {min} al {max}, per esempio 2026.',
    en: 'Invalid year: "{value}". Give a year from {min} to {max}, for example 2026.'
  },
  // Citizen intake (Sportello On-line, SottoControllo app) and public notes
  intakeInvalid: {
    it: 'Alcuni dati non sono corretti ({count}): correggi i campi indicati e invia di nuovo la richiesta.',
    en: 'Some details are not right ({count}): correct the fields shown and send the request again.'
  },
  intakeFileTooLarge: { it: 'Allegati troppo grandi: {detail}.', en: 'Attachments too large: {detail}.' },
  intakeFileType: { it: 'Allegato non accettato: {detail}.', en: 'Attachment not accepted: {detail}.' },
  intakeSpam: {
    it: 'Invio non accettato: è stato compilato il campo «Lascia vuoto questo campo», che serve a riconoscere gli invii automatici. Se sei una persona, lascialo vuoto e invia di nuovo.',
    en: 'Submission refused: the "Leave this field empty" field was filled in, which is how automated submissions are recognised. If you are a person, leave it empty and send again.'
  },
  intakeTooFast: {
    it: "Invio troppo rapido: il modulo è stato inviato {seconds} secondi dopo l'apertura della pagina. Attendi qualche secondo e invia di nuovo.",
    en: 'Sent too quickly: the form was sent {seconds} seconds after the page opened. Wait a few seconds and send again.'
  },
  intakeFormToken: {
    it: 'Il modulo non è valido o è incompleto (manca il codice di controllo della pagina): ricarica la pagina e invia di nuovo.',
    en: 'The form is invalid or incomplete (the page check code is missing): reload the page and send again.'
  },
  intakeFormExpired: {
    it: 'Il modulo è scaduto: è stato aperto più di {hours} ore fa. Ricarica la pagina e invia di nuovo.',
    en: 'The form has expired: it was opened more than {hours} hours ago. Reload the page and send again.'
  },
  intakeRateLimited: {
    it: 'Troppi invii dalla tua rete in poco tempo: riprova tra {minutes} minuti.',
    en: 'Too many submissions from your network in a short time: try again in {minutes} minutes.'
  },
  intakeEmailRateLimited: {
    it: "Troppe richieste inviate con l'indirizzo {email} nell'ultima ora: riprova più tardi oppure rispondi all'email di conferma che hai ricevuto.",
    en: 'Too many requests sent with {email} in the last hour: try again later or reply to the confirmation email you received.'
  },
  intakeNotMultipart: {
    it: 'Formato non supportato: invia il modulo come multipart/form-data, application/x-www-form-urlencoded o JSON.',
    en: 'Unsupported format: send the form as multipart/form-data, application/x-www-form-urlencoded or JSON.'
  },
  intakeStatusNotFound: { it: 'Richiesta non trovata: controlla il codice che hai ricevuto.', en: 'Request not found: check the code you received.' },
  open311ApiKeyMissing: {
    it: "api_key mancante: per inviare una segnalazione serve la chiave dell'app.",
    en: 'api_key missing: sending a request needs the app key.'
  },
  open311ApiKeyInvalid: { it: 'api_key non valida.', en: 'Invalid api_key.' },
  open311ServiceCodeMissing: {
    it: 'service_code mancante: scegli un servizio da services.json.',
    en: 'service_code missing: choose a service from services.json.'
  },
  open311ServiceCodeUnknown: {
    it: 'service_code "{code}" sconosciuto: l\'elenco dei servizi è in services.json.',
    en: 'Unknown service_code "{code}": the list of services is in services.json.'
  },
  open311ServiceNotFound: { it: 'Servizio "{code}" non trovato.', en: 'Service "{code}" not found.' },
  open311RequestNotFound: { it: 'Richiesta "{id}" non trovata.', en: 'Request "{id}" not found.' },
  open311TokenNotFound: { it: 'Token "{token}" non trovato.', en: 'Token "{token}" not found.' },
  open311Format: { it: 'Formato non supportato: usa .json oppure .xml.', en: 'Unsupported format: use .json or .xml.' },
  open311Invalid: { it: '{detail}', en: '{detail}' },
  open311RateLimited: {
    it: 'Troppe richieste con questa api_key ({limit} per finestra): riprova tra {minutes} minuti.',
    en: 'Too many requests with this api_key ({limit} per window): try again in {minutes} minutes.'
  },
  open311HeadersTooLarge: {
    it: "Richiesta troppo lunga: l'indirizzo o le intestazioni superano il limite del server. Chiedi meno service_request_id per volta.",
    en: 'Request too long: the address or the headers exceed the server limit. Ask for fewer service_request_id at a time.'
  },
  open311UpdateRequestMissing: {
    it: 'service_request_id mancante: indica la richiesta a cui si riferisce il commento.',
    en: 'service_request_id missing: give the request the comment is about.'
  },
  publicationNotFound: {
    it: "L'ordine di lavoro {id} non è arrivato dal modulo web o dall'app: non c'è nulla da pubblicare.",
    en: 'Work order {id} did not come through the web form or the app: there is nothing to publish.'
  },
  publicationNotAllowed: {
    it: 'Si possono pubblicare solo le segnalazioni di disservizio: reclami e altre richieste contengono dati personali e restano riservati.',
    en: 'Only service-failure reports can be published: complaints and other requests contain personal data and stay private.'
  },
  publicNoteEmpty: { it: 'Scrivi il testo della nota pubblica ("text" oppure "html").', en: 'Write the text of the public note ("text" or "html").' },
  publicNoteNoRecipient: {
    it: 'La pratica non ha un indirizzo email del cittadino: la nota non può essere inviata per email (salvala senza "notify").',
    en: 'The case has no citizen email address: the note cannot be emailed (save it without "notify").'
  },
  publicNoteNoSender: {
    it: 'Nessun mittente configurato (opzione mail.from): la nota non può essere inviata per email.',
    en: 'No sender configured (option mail.from): the note cannot be emailed.'
  },
  // Antivirus
  attachmentInfected: {
    it: 'L\'allegato "{filename}" contiene un virus ({virus}) ed è in quarantena: non si può scaricare né inviare.',
    en: 'Attachment "{filename}" contains a virus ({virus}) and is quarantined: it cannot be downloaded or sent.'
  },
  attachmentBeingScanned: {
    it: 'L\'allegato "{filename}" è in corso di controllo antivirus: riprova tra qualche istante.',
    en: 'Attachment "{filename}" is being scanned for viruses: try again in a moment.'
  },
  attachmentScanFailed: {
    it: 'Non è stato possibile controllare l\'allegato "{filename}" con l\'antivirus: per sicurezza non si può scaricare né inviare.',
    en: 'Attachment "{filename}" could not be scanned for viruses: for safety it cannot be downloaded or sent.'
  },
  // Citizens' data
  erasureOpenRequest: {
    it: 'Cancellazione non possibile: le richieste {ids} sono ancora aperte. I dati servono a rispondere al cittadino; chiudile prima di cancellare.',
    en: 'Erasure not possible: requests {ids} are still open. The data is needed to answer the citizen; close them before erasing.'
  },
  erasureRegister: {
    it: 'Cancellazione non possibile: le richieste {references} sono nel registro ARERA (TQRIF), che va conservato fino al {until}. I dati saranno rimossi automaticamente alla scadenza.',
    en: 'Erasure not possible: requests {references} are in the ARERA register (TQRIF), which must be kept until {until}. The data will be removed automatically when that period ends.'
  },
  // Mailbox watcher (health, the connection test, failure alerts)
  imapAuthFailed: {
    it: 'Accesso IMAP rifiutato per l\'utente "{user}" su {server}: il server ha risposto "{detail}". Controlla utente e password.',
    en: 'IMAP login refused for user "{user}" on {server}: the server said "{detail}". Check the user name and password.'
  },
  imapUnreachable: { it: 'Server IMAP {server} non raggiungibile ({detail}).', en: 'IMAP server {server} unreachable ({detail}).' },
  imapFolderMissing: { it: 'Cartella "{folder}" non trovata su {server} ({detail}).', en: 'Folder "{folder}" not found on {server} ({detail}).' },
  imapCommandRefused: { it: 'Il server IMAP {server} ha rifiutato un comando: "{detail}".', en: 'IMAP server {server} refused a command: "{detail}".' },
  imapError: { it: 'Errore IMAP con {server}: {detail}', en: 'IMAP error with {server}: {detail}' },
  imapClosed: { it: 'Il server IMAP {server} ha chiuso la connessione.', en: 'IMAP server {server} closed the connection.' },
  ingestFailed: {
    it: 'Il messaggio UID {uid} non è stato registrato (tentativo {attempt} di {max}): {detail}',
    en: 'Message UID {uid} could not be stored (attempt {attempt} of {max}): {detail}'
  },
  ingestQuarantined: {
    it: 'Il messaggio UID {uid} non è stato registrato dopo {attempts} tentativi ed è stato messo in quarantena: {detail}',
    en: 'Message UID {uid} could not be stored after {attempts} attempts and was quarantined: {detail}'
  },
  // OAuth2 mailboxes (health, the connect flow)
  oauthGrantInvalid: {
    it: 'L\'autorizzazione OAuth2 della casella "{mailbox}" è stata revocata o è scaduta ({detail}). Un amministratore deve ricollegare la casella.',
    en: 'The OAuth2 authorization of mailbox "{mailbox}" was revoked or has expired ({detail}). An administrator must reconnect the mailbox.'
  },
  oauthNotConnected: {
    it: 'La casella "{mailbox}" usa OAuth2 ma non è ancora collegata: un amministratore deve autorizzarla.',
    en: 'Mailbox "{mailbox}" uses OAuth2 but is not connected yet: an administrator must authorize it.'
  },
  oauthTokenFailed: {
    it: 'Impossibile ottenere un token OAuth2 per la casella "{mailbox}" da {endpoint}: {detail}',
    en: 'Could not get an OAuth2 token for mailbox "{mailbox}" from {endpoint}: {detail}'
  },
  oauthNotConfigured: {
    it: 'La casella {id} non usa OAuth2: imposta prima il fornitore e il client (authMethod "oauth2").',
    en: 'Mailbox {id} does not use OAuth2: set its provider and client first (authMethod "oauth2").'
  },
  oauthStateInvalid: {
    it: 'Richiesta di autorizzazione sconosciuta, già usata o scaduta: avvia di nuovo il collegamento della casella.',
    en: 'Unknown, already used or expired authorization request: start connecting the mailbox again.'
  },
  oauthConsentRefused: {
    it: "Il fornitore non ha concesso l'autorizzazione: {detail}",
    en: 'The provider did not grant the authorization: {detail}'
  },
  oauthConnected: {
    it: 'Casella "{mailbox}" collegata con OAuth2: la lettura della posta riprende.',
    en: 'Mailbox "{mailbox}" connected with OAuth2: mail is being read again.'
  }
} as const

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(messages, key)
}

export type MessageKey = keyof typeof messages

const fill = (template: string, params: Record<string, string | number>) =>
  template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`))

export function translate(locale: Locale, key: MessageKey, params: Record<string, string | number> = {}): string {
  return fill(messages[key][locale], params)
}

// What is wrong with one input field: the JSON-schema keywords (src/routes/errors.ts maps Ajv's errors onto them) and the
// routes' own checks. Each names the field, so "Invalid request: …" reads whole in either language.
const fieldRules = {
  required: { it: 'manca il campo "{field}"', en: 'the field "{field}" is missing' },
  type: { it: 'il campo "{field}" deve essere {type}', en: 'the field "{field}" must be {type}' },
  minLength: { it: 'il campo "{field}" deve avere almeno {limit} caratteri', en: 'the field "{field}" must have at least {limit} characters' },
  maxLength: { it: 'il campo "{field}" può avere al massimo {limit} caratteri', en: 'the field "{field}" may have at most {limit} characters' },
  minimum: { it: 'il campo "{field}" deve valere almeno {limit}', en: 'the field "{field}" must be at least {limit}' },
  maximum: { it: 'il campo "{field}" può valere al massimo {limit}', en: 'the field "{field}" must be at most {limit}' },
  minItems: { it: 'il campo "{field}" deve contenere almeno {limit} elementi', en: 'the field "{field}" must contain at least {limit} items' },
  maxItems: { it: 'il campo "{field}" può contenere al massimo {limit} elementi', en: 'the field "{field}" may contain at most {limit} items' },
  pattern: { it: 'il campo "{field}" non ha il formato previsto', en: 'the field "{field}" does not have the expected format' },
  format: { it: 'il campo "{field}" deve essere {format}', en: 'the field "{field}" must be {format}' },
  enum: { it: 'il campo "{field}" deve valere uno tra: {allowed}', en: 'the field "{field}" must be one of: {allowed}' },
  additionalProperties: { it: 'il campo "{field}" non è previsto', en: 'the field "{field}" is not expected' },
  invalid: { it: 'il campo "{field}" non è valido', en: 'the field "{field}" is not valid' },
  bodyObject: { it: 'il corpo della richiesta deve essere un oggetto JSON', en: 'the request body must be a JSON object' },
  addresses: { it: 'il campo "{field}" deve contenere indirizzi email', en: 'the field "{field}" must contain email addresses' },
  tooManyAddresses: { it: 'al massimo {max} indirizzi nel campo "{field}"', en: 'at most {max} addresses in the field "{field}"' },
  ids: { it: 'il campo "{field}" deve contenere identificativi numerici positivi', en: 'the field "{field}" must contain positive numeric ids' },
  idList: {
    it: 'il campo "{field}" deve contenere da 1 a {max} numeri interi positivi separati da virgola (es. 3,4)',
    en: 'the field "{field}" must contain 1 to {max} positive whole numbers separated by commas (e.g. 3,4)'
  },
  atLeastOne: { it: 'indica almeno uno tra {fields}', en: 'give at least one of {fields}' },
  unknownFile: { it: 'campo file sconosciuto "{field}": usa "attachments"', en: 'unknown file field "{field}": use "attachments"' },
  mailboxSettings: { it: 'impostazioni della casella non valide', en: 'invalid mailbox settings' }
} as const

export type FieldRule = keyof typeof fieldRules

const typeNames: Record<string, Record<Locale, string>> = {
  string: { it: 'un testo', en: 'a text' },
  integer: { it: 'un numero intero', en: 'a whole number' },
  number: { it: 'un numero', en: 'a number' },
  boolean: { it: 'true o false', en: 'true or false' },
  object: { it: 'un oggetto', en: 'an object' },
  array: { it: 'un elenco', en: 'a list' },
  null: { it: 'null', en: 'null' }
}

const formatNames: Record<string, Record<Locale, string>> = {
  email: { it: 'un indirizzo email valido', en: 'a valid email address' },
  date: { it: 'una data nel formato AAAA-MM-GG', en: 'a date in the form YYYY-MM-DD' },
  'date-time': { it: 'una data e ora ISO 8601', en: 'an ISO 8601 date and time' },
  uri: { it: 'un indirizzo web', en: 'a web address' }
}

const or = { it: ' o ', en: ' or ' }

/** One field problem in words: `il campo "html" deve essere un testo` / `the field "html" must be a text`. */
export function fieldMessage(locale: Locale, rule: FieldRule, params: Record<string, string | number> = {}): string {
  const named = { ...params }
  if (typeof params.type === 'string')
    named.type = params.type
      .split(',')
      .map((t) => typeNames[t]?.[locale] ?? t)
      .join(or[locale])
  if (typeof params.format === 'string') named.format = formatNames[params.format]?.[locale] ?? params.format
  return fill(fieldRules[rule][locale], named)
}

/** `?lang=en|it` wins, then the first Accept-Language tag we support, then the configured default. */
export function requestLocale(request: FastifyRequest, fallback: Locale): Locale {
  const query = request.query as Record<string, unknown> | undefined
  const lang = typeof query?.lang === 'string' ? query.lang : undefined
  if (lang === 'it' || lang === 'en') return lang
  const header = request.headers['accept-language']
  if (typeof header === 'string') {
    for (const part of header.split(',')) {
      const tag = part.trim().slice(0, 2).toLowerCase()
      if (tag === 'it' || tag === 'en') return tag
    }
  }
  return fallback
}

/** The cookie that remembers the language a citizen chose on the public pages. */
export const LANG_COOKIE = 'trc_lang'

/**
 * The language of the public pages (form, status): `?lang=` (the visible switch), then the choice remembered in
 * the `trc_lang` cookie, then the configured default (Italian). Never Accept-Language: a browser set to English
 * gets the Italian pages until the citizen picks English.
 */
export function pageLocale(request: FastifyRequest, fallback: Locale): Locale {
  const query = request.query as Record<string, unknown> | undefined
  const lang = typeof query?.lang === 'string' ? query.lang : undefined
  if (lang === 'it' || lang === 'en') return lang
  const cookie = /(?:^|;\s*)trc_lang=(it|en)(?:;|$)/.exec(request.headers.cookie ?? '')?.[1]
  return cookie === 'it' || cookie === 'en' ? cookie : fallback
}
