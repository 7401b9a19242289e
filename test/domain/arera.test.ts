// ARERA request types, standards, due dates, schemes, miss causes and the keyword classifier.
// Due dates were counted by hand (see working-days.test.ts for the day-by-day counts they reuse).
import t from 'tap'
import {
  DEFAULT_STANDARDS,
  MISS_CAUSES,
  REGULATORY_SCHEMES,
  REQUEST_TYPES,
  REQUEST_TYPE_CODES,
  dueDate,
  elapsedWorkingDays,
  isMissCause,
  isRequestType,
  requestTypeLabel,
  resolveRegulatorySchemes,
  resolveStandards,
  suggestRequestType,
  type RequestType,
  type StandardOverrides
} from '../../src/domain/arera.js'
import { createWorkingCalendar } from '../../src/domain/working-days.js'

const calendar = createWorkingCalendar()

t.test('request types', async (t) => {
  t.same(
    REQUEST_TYPES.map((r) => r.type),
    [
      'reclamo_scritto',
      'richiesta_informazioni',
      'rettifica_importi',
      'segnalazione_disservizio',
      'ritiro_su_chiamata',
      'riparazione_attrezzature',
      'attivazione_variazione_cessazione',
      'altro'
    ]
  )
  t.same(
    REQUEST_TYPES.map((r) => r.type),
    [...REQUEST_TYPE_CODES]
  )
  t.equal(new Set(REQUEST_TYPES.map((r) => r.label.it)).size, 8, 'distinct Italian labels')
  t.equal(new Set(REQUEST_TYPES.map((r) => r.label.en)).size, 8, 'distinct English labels')
  t.equal(requestTypeLabel('reclamo_scritto'), 'Reclamo scritto')
  t.equal(requestTypeLabel('reclamo_scritto', 'en'), 'Written complaint')
  t.equal(requestTypeLabel('rettifica_importi'), 'Richiesta di rettifica degli importi addebitati')
  t.ok(isRequestType('ritiro_su_chiamata'))
  t.notOk(isRequestType('reclamo'))
  t.notOk(isRequestType(undefined))
})

t.test('default standards', async (t) => {
  const days = Object.fromEntries(REQUEST_TYPE_CODES.map((type) => [type, DEFAULT_STANDARDS[type].workingDays]))
  t.same(days, {
    reclamo_scritto: 30,
    richiesta_informazioni: 30,
    rettifica_importi: 60,
    segnalazione_disservizio: 5,
    ritiro_su_chiamata: 15,
    riparazione_attrezzature: 10,
    attivazione_variazione_cessazione: 30,
    altro: null
  })
  for (const type of REQUEST_TYPE_CODES) {
    const s = DEFAULT_STANDARDS[type]
    t.equal(s.type, type, `${type}: the entry names its own type`)
    t.ok(s.label.it.length > 0 && s.label.en.length > 0, `${type}: labelled in Italian and English`)
    if (s.workingDays !== null) t.match(s.article, /^TQRIF art/, `${type}: has an article reference`)
  }
  t.equal(DEFAULT_STANDARDS.reclamo_scritto.article, 'TQRIF art. 14')
  t.equal(DEFAULT_STANDARDS.richiesta_informazioni.article, 'TQRIF art. 15')
})

t.test('resolveStandards merges overrides without touching the defaults', async (t) => {
  const s = resolveStandards({
    segnalazione_disservizio: 5,
    reclamo_scritto: { workingDays: 20, article: 'Carta della qualità, art. 7' },
    ritiro_su_chiamata: null,
    rettifica_importi: { label: { it: 'Rettifica bollette', en: 'Bill correction' } }
  })
  t.equal(s.segnalazione_disservizio.workingDays, 5)
  t.equal(s.segnalazione_disservizio.label.it, DEFAULT_STANDARDS.segnalazione_disservizio.label.it)
  t.equal(s.reclamo_scritto.workingDays, 20)
  t.equal(s.reclamo_scritto.article, 'Carta della qualità, art. 7')
  t.equal(s.reclamo_scritto.label.it, 'Tempo di risposta motivata ai reclami scritti', 'label kept')
  t.equal(s.ritiro_su_chiamata.workingDays, null, 'null switches a standard off')
  t.equal(s.rettifica_importi.workingDays, 60, 'a label-only override keeps the days')
  t.equal(s.rettifica_importi.label.en, 'Bill correction')
  t.equal(s.richiesta_informazioni.workingDays, 30, 'untouched types keep the default')
  // The defaults are unchanged and frozen.
  t.equal(DEFAULT_STANDARDS.reclamo_scritto.workingDays, 30)
  t.equal(DEFAULT_STANDARDS.segnalazione_disservizio.workingDays, 5)
  t.equal(DEFAULT_STANDARDS.ritiro_su_chiamata.workingDays, 15)
  t.ok(Object.isFrozen(s) && Object.isFrozen(s.reclamo_scritto))
  t.same(resolveStandards(), DEFAULT_STANDARDS, 'no overrides → the defaults')

  t.throws(() => resolveStandards({ reclamo_scritto: -1 }), RangeError)
  t.throws(() => resolveStandards({ reclamo_scritto: 2.5 }), RangeError)
  t.throws(() => resolveStandards({ reclamo_scritto: { workingDays: Number.NaN } }), RangeError)
  t.throws(() => resolveStandards({ reclamo: 30 } as unknown as StandardOverrides), RangeError, 'unknown type')
})

t.test('dueDate', async (t) => {
  // Received Friday 2026-12-18 at 10:15 in Rome. 30 → 2027-02-03, 15 → 2027-01-13, 10 → 2027-01-05.
  const friday = new Date('2026-12-18T09:15:00Z')
  const expected: Record<RequestType, string | null> = {
    reclamo_scritto: '2027-02-03',
    richiesta_informazioni: '2027-02-03',
    rettifica_importi: '2027-03-17',
    // 5: Dec 21-24 (1-4), 25-26 holidays, Mon 28 (5)
    segnalazione_disservizio: '2026-12-28',
    ritiro_su_chiamata: '2027-01-13',
    riparazione_attrezzature: '2027-01-05',
    attivazione_variazione_cessazione: '2027-02-03',
    altro: null
  }
  // 60 from 2026-12-18: 30 → Wed 3 Feb 2027; Feb 4, 5 → 31, 32; Feb 8-12 → 33-37; 15-19 → 38-42; 22-26 → 43-47;
  // Mar 1-5 → 48-52; Mar 8-12 → 53-57; Mar 15, 16, 17 → 58, 59, 60 (Wed 17 March).
  for (const type of REQUEST_TYPE_CODES) t.equal(dueDate(calendar, type, friday), expected[type], type)
  // With an on-site inspection, 10: Dec 29-31 (6-8), 1 Jan holiday, Jan 4 (9), Jan 5 (10).
  t.equal(dueDate(calendar, 'segnalazione_disservizio', friday, DEFAULT_STANDARDS, true), '2027-01-05')
  t.equal(dueDate(calendar, 'consegna_attrezzature', friday, DEFAULT_STANDARDS, true), '2027-01-05')
  t.equal(dueDate(calendar, 'reclamo_scritto', friday, DEFAULT_STANDARDS, true), '2027-02-03', 'no inspection variant: the same 30')

  // Rettifica received Thursday 2 April 2026 before Easter: 30 → 18 May; May 19-22 → 31-34; 25-29 → 35-39;
  // Mon 1 Jun → 40 (Tue 2 Jun Festa della Repubblica); Jun 3-5 → 41-43; 8-12 → 44-48; 15-19 → 49-53;
  // 22-26 → 54-58; Mon 29 → 59; Tue 30 → 60.
  t.equal(dueDate(calendar, 'rettifica_importi', new Date('2026-04-02T16:00:00+02:00')), '2026-06-30')

  // An email arriving at 00:30 on Monday 12 January 2026 in Rome (Sunday 23:30 UTC) was received on Monday:
  // Jan 13-16 → 1-4; 19-23 → 5-9; 26-30 → 10-14; Feb 2-6 → 15-19; 9-13 → 20-24; 16-20 → 25-29; Mon 23 → 30.
  // Taking the UTC day (Sunday) would give Friday 20 February.
  t.equal(dueDate(calendar, 'reclamo_scritto', new Date('2026-01-11T23:30:00Z')), '2026-02-23')
  t.equal(dueDate(calendar, 'reclamo_scritto', new Date('2026-01-11T22:30:00Z')), '2026-02-20', 'Sunday 23:30 in Rome')

  // Configured standards: disservizio 5 → Dec 21-24 (1-4), Mon 28 (5); reclamo 20 → Jan 8 is 12, Jan 11-15
  // 13-17, Jan 18, 19, 20 → 18, 19, 20.
  const custom = resolveStandards({ segnalazione_disservizio: 5, reclamo_scritto: 20, altro: null })
  t.equal(dueDate(calendar, 'segnalazione_disservizio', friday, custom), '2026-12-28')
  t.equal(dueDate(calendar, 'reclamo_scritto', friday, custom), '2027-01-20')
  t.equal(dueDate(calendar, 'altro', friday, custom), null)

  // The calendar passed in matters: in Milan Sant'Ambrogio (Mon 7 Dec 2026) shifts a 10-day repair.
  // Default from Fri 2026-11-27: Nov 30-Dec 4 → 1-5; Dec 7 → 6; Dec 9, 10, 11 → 7, 8, 9 (8 Dec Immacolata);
  // Dec 14 → 10. Milan: Dec 7 off too, so Dec 9-11 → 6-8, Dec 14, 15 → 9, 10.
  const milano = createWorkingCalendar({ patronSaint: { month: 12, day: 7, name: "Sant'Ambrogio" } })
  const nov27 = new Date('2026-11-27T11:00:00+01:00')
  t.equal(dueDate(calendar, 'riparazione_attrezzature', nov27), '2026-12-14')
  t.equal(dueDate(milano, 'riparazione_attrezzature', nov27), '2026-12-15')
})

t.test('elapsedWorkingDays', async (t) => {
  const received = new Date('2026-12-18T09:15:00Z')
  t.equal(elapsedWorkingDays(calendar, received, new Date('2027-02-03T15:00:00Z')), 30, 'on the due date')
  t.equal(elapsedWorkingDays(calendar, received, new Date('2027-02-04T08:00:00Z')), 31, 'a day late')
  // 23:30 UTC on 3 February is 00:30 on 4 February in Rome: late.
  t.equal(elapsedWorkingDays(calendar, received, new Date('2027-02-03T23:30:00Z')), 31)
  t.equal(elapsedWorkingDays(calendar, received, new Date('2026-12-18T17:00:00Z')), 0, 'same-day reply')
})

t.test('regulatory schemes', async (t) => {
  t.same(
    REGULATORY_SCHEMES.map((s) => s.id),
    ['I', 'II', 'III', 'IV']
  )
  const three = REGULATORY_SCHEMES.find((s) => s.id === 'III')
  t.equal(three?.minimumCompliancePercent, 70)
  t.equal(REGULATORY_SCHEMES.find((s) => s.id === 'I')?.minimumCompliancePercent, null, 'Schema I: no general standards')
  for (const s of REGULATORY_SCHEMES) t.ok(s.label.it.startsWith('Schema ') && s.label.en.startsWith('Scheme '))

  const configured = resolveRegulatorySchemes({ III: 80, IV: null })
  t.equal(configured.find((s) => s.id === 'III')?.minimumCompliancePercent, 80)
  t.equal(configured.find((s) => s.id === 'IV')?.minimumCompliancePercent, null)
  t.equal(configured.find((s) => s.id === 'II')?.minimumCompliancePercent, REGULATORY_SCHEMES[1]?.minimumCompliancePercent)
  t.equal(REGULATORY_SCHEMES.find((s) => s.id === 'III')?.minimumCompliancePercent, 70, 'defaults untouched')
  t.throws(() => resolveRegulatorySchemes({ III: 120 }), RangeError)
  t.throws(() => resolveRegulatorySchemes({ III: -5 }), RangeError)
  t.throws(() => resolveRegulatorySchemes({ V: 70 } as unknown as Parameters<typeof resolveRegulatorySchemes>[0]), RangeError)
})

t.test('miss causes', async (t) => {
  t.same(
    MISS_CAUSES.map((c) => c.cause),
    ['forza_maggiore', 'utente_o_terzi', 'gestore']
  )
  t.same(
    MISS_CAUSES.map((c) => c.label.it),
    ['Cause di forza maggiore', "Cause imputabili all'utente o a terzi", 'Cause imputabili al gestore']
  )
  for (const c of MISS_CAUSES) t.ok(c.label.en.length > 0)
  t.ok(isMissCause('gestore'))
  t.notOk(isMissCause('operatore'))
})

t.test('suggestRequestType on realistic messages', async (t) => {
  const cases: Array<{ subject: string; text: string; type: RequestType; confidence: 'high' | 'low'; includes: string[] }> = [
    {
      subject: 'Avviso TARI 2026 sbagliato',
      text:
        "Buongiorno, nell'avviso di pagamento TARI 2026 mi è stato addebitato un importo errato: la superficie " +
        'indicata è di 120 mq ma il mio appartamento è di 85 mq. Chiedo la rettifica e il rimborso di quanto ' +
        'pagato in più. Cordiali saluti',
      type: 'rettifica_importi',
      confidence: 'high',
      includes: ['importo errato', 'rettifica', 'rimbors*']
    },
    {
      subject: 'Doppio addebito',
      text: 'Ho ricevuto un secondo avviso per una somma già pagata a marzo: si tratta di un importo non dovuto.',
      type: 'rettifica_importi',
      confidence: 'high',
      includes: ['doppio addebito', 'non dovut*']
    },
    {
      subject: 'Orari ecocentro',
      text: "Salve, vorrei sapere quali sono gli orari di apertura dell'ecocentro di via Emilia. Grazie mille.",
      type: 'richiesta_informazioni',
      confidence: 'high',
      includes: ['vorrei sapere', 'quali sono', 'orari']
    },
    {
      subject: 'Prenotazione ritiro ingombranti',
      text: 'Vorrei prenotare il ritiro di un divano e di un vecchio frigorifero (RAEE) presso la mia abitazione.',
      type: 'ritiro_su_chiamata',
      confidence: 'high',
      includes: ['prenotazione ritiro', 'ritiro ingombranti', 'prenotare il ritiro', 'raee', 'divano']
    },
    {
      subject: 'Bidone rotto',
      text: "Il mastello dell'organico ha il coperchio spaccato dopo il passaggio del camion, chiedo la sostituzione.",
      type: 'riparazione_attrezzature',
      confidence: 'high',
      includes: ['bidone rotto', 'mastello', 'coperchio', 'sostituzione']
    },
    {
      subject: 'Cessazione utenza per trasloco',
      text:
        'Comunico che dal 1° marzo mi sono trasferito a Modena: chiedo la cessazione della TARI per ' +
        "l'immobile di via Roma 3 e la voltura a nome del nuovo proprietario.",
      type: 'attivazione_variazione_cessazione',
      confidence: 'high',
      includes: ['cessazion*', 'trasloco', 'voltura']
    },
    {
      // Upper case and accented capitals: "NON È PASSATO".
      subject: 'Raccolta non effettuata',
      text: "Da tre giorni il camion NON È PASSATO in via Garibaldi, i sacchi sono sul marciapiede e c'è sporcizia ovunque.",
      type: 'reclamo_scritto',
      confidence: 'high',
      includes: ['non e passato', 'sporcizia']
    },
    {
      subject: 'Rifiuti abbandonati',
      text: 'Segnalo sacchi abbandonati accanto ai cassonetti di piazza Maggiore, lo spazzamento non viene fatto da settimane.',
      type: 'reclamo_scritto',
      confidence: 'high',
      includes: ['abbandonat*', 'spazzamento']
    },
    {
      // The explicit word wins even though the text also asks for information about an amount.
      subject: 'Reclamo',
      text: 'Vorrei sapere perché mi avete addebitato un importo errato.',
      type: 'reclamo_scritto',
      confidence: 'high',
      includes: ['reclamo', 'vorrei sapere', 'importo errato']
    },
    {
      subject: 'Sportello di via Indipendenza',
      text: "È inaccettabile: l'operatore allo sportello è stato scortese e mi ha fatto attendere due ore. Una vergogna.",
      type: 'reclamo_scritto',
      confidence: 'high',
      includes: ['inaccettabile', 'vergogna']
    }
  ]
  for (const c of cases) {
    const s = suggestRequestType(c.subject, c.text)
    t.equal(s.type, c.type, `"${c.subject}" → ${c.type}`)
    t.equal(s.confidence, c.confidence, `"${c.subject}" → ${c.confidence}`)
    for (const k of c.includes) t.ok(s.matched.includes(k), `"${c.subject}" matched ${k}`)
  }
  // The best type's keywords come first.
  t.equal(suggestRequestType('Reclamo', 'Vorrei sapere perché').matched[0], 'reclamo')
})

t.test('the Garibaldi email: a written complaint that also asks for an intervention', async (t) => {
  const s = suggestRequestType(
    "Bidone dell'organico non svuotato in via Garibaldi",
    "Buongiorno, il bidone dell'organico in via Garibaldi 12 non viene svuotato da tre settimane. Chiedo un intervento " +
      'e una verifica della tariffa che ho già pagato, visto che il servizio non viene svolto. Cordiali saluti, Anna Bianchi'
  )
  t.equal(s.type, 'reclamo_scritto', 'a reported failure with dissatisfaction is a complaint, not a report without a clock')
  t.equal(s.rule, 'failure_or_dissatisfaction')
  t.equal(s.confidence, 'high')
  t.same(s.service, { type: 'segnalazione_disservizio', matched: ['non svuotat*', 'non viene svuotat*', 'non viene svolto', 'intervento'] })
  t.equal(
    s.explanation.it,
    'Parole trovate: "non svuotat*", "non viene svuotat*", "non viene svolto", "intervento". Chi segnala un disservizio o esprime ' +
      'insoddisfazione presenta un reclamo scritto (TQRIF art. 13): risposta motivata. Chiede anche un servizio ("non svuotat*", ' +
      '"non viene svuotat*", "non viene svolto", "intervento"): secondo termine da confermare.'
  )
  t.match(s.explanation.en, /^Words found: .* Reporting a service failure or expressing dissatisfaction is a written complaint/)
  // A repair asked next to a complaint: the repair is the second clock.
  t.same(suggestRequestType('Reclamo', 'Il bidone rotto non è mai stato sostituito.').service, {
    type: 'riparazione_attrezzature',
    matched: ['bidone rotto', 'rotto']
  })
  // A request that only asks for a service keeps that service as its own clock.
  t.match(suggestRequestType('Prenotare il ritiro ingombranti', 'Un divano.'), { type: 'ritiro_su_chiamata', rule: 'service_request', service: null })
})

t.test('suggestRequestType: prudential rule and edge cases', async (t) => {
  const vague = suggestRequestType(
    'Comunicazione',
    'Buongiorno, vi scrivo in merito alla mia posizione. Attendo un vostro riscontro. Cordiali saluti, Mario Rossi'
  )
  const core = (x: ReturnType<typeof suggestRequestType>) => ({ type: x.type, confidence: x.confidence, matched: x.matched, rule: x.rule, service: x.service })
  t.same(core(vague), { type: 'reclamo_scritto', confidence: 'low', matched: [], rule: 'prudential', service: null }, 'unclassifiable → reclamo scritto, low')
  t.equal(
    vague.explanation.it,
    'Nessuna parola chiave trovata. Il testo non permette una classificazione chiara: si tratta come reclamo scritto (regola prudenziale, TQRIF art. 13).'
  )
  t.same(core(suggestRequestType('', '')), { type: 'reclamo_scritto', confidence: 'low', matched: [], rule: 'prudential', service: null })

  // A tie between two types cannot easily be classified either.
  const tie = suggestRequestType('Voltura', 'Mi servono informazioni.')
  t.equal(tie.type, 'reclamo_scritto')
  t.equal(tie.confidence, 'low')
  t.same([...tie.matched].sort(), ['informazioni', 'voltura'])

  // A single weak word gives its type with low confidence.
  const weak = suggestRequestType('Richiesta informazioni', '')
  t.same(core(weak), { type: 'richiesta_informazioni', confidence: 'low', matched: ['informazioni'], rule: 'best_score', service: null })

  // Whole words only: "ruotano" is not "ruota", "riparazioneXYZ" is not "riparazione", "sporcocentro" is not "sporco".
  t.same(suggestRequestType('', 'I turni degli operatori ruotano ogni settimana.').matched, [])
  t.same(suggestRequestType('', 'codice riparazioneXYZ sporcocentro').matched, [])
  // Stems and case: "rimborsi" matches rimbors*, "TRASLOCATI" matches traslocat*.
  t.ok(suggestRequestType('', 'Attendo i rimborsi.').matched.includes('rimbors*'))
  t.equal(suggestRequestType('Ci siamo TRASLOCATI', 'nuova utenza in via Po').type, 'attivazione_variazione_cessazione')
  // A typographic apostrophe is a word boundary: "l’importo errato" matches "importo errato".
  t.equal(suggestRequestType('', 'Nell’avviso c’è l’importo errato.').type, 'rettifica_importi')
  // Keywords are written without accents and match accented text: "è possibile sapere" → "e possibile sapere".
  t.ok(suggestRequestType('', 'È possibile sapere il calendario?').matched.includes('e possibile sapere'))
})
