// The ARERA clock, the indicator arithmetic and the export formats, as pure functions with hand-computed figures.
import t from 'tap'
import JSZip from 'jszip'
import { DEFAULT_STANDARDS } from '../../src/domain/arera.js'
import { checkClockAction, computeClock, type ClockEvent } from '../../src/domain/clock.js'
import { computeIndicators } from '../../src/domain/indicators.js'
import { createWorkingCalendar } from '../../src/domain/working-days.js'
import { toCsv } from '../../src/arera/reports/format.js'
import { columnLetter, excelSerial, toXlsx } from '../../src/arera/reports/xlsx.js'
import { validateOptions } from '../../src/options.js'

const calendar = createWorkingCalendar()
// Rome is UTC+1 until 29 March 2026: 10:00 in Rome is 09:00Z.
const rome = (day: string, time = '10:00') => new Date(`${day}T${time}:00+01:00`)

t.test('a running clock: due date, days left, late', async (t) => {
  // Received Friday 6 March 2026, 19:00 in Rome. Day 1 is Monday 9 March; Easter Monday (6 April) is skipped:
  // 9–13 (5), 16–20 (10), 23–27 (15), 30 Mar–3 Apr (20), 7–10 Apr (24), 13–17 Apr (29), 20 Apr (30).
  const base = { standardWorkingDays: 30, receivedAt: rome('2026-03-06', '19:00'), replySentAt: null, events: [] }
  let clock = computeClock(calendar, { ...base, now: rome('2026-03-09') })
  t.match(clock, { state: 'running', dueDate: '2026-04-20', daysLeft: 29, workingDaysTaken: 1, standardMet: null })
  clock = computeClock(calendar, { ...base, now: rome('2026-04-20', '18:00') })
  t.match(clock, { daysLeft: 0, standardMet: null }, 'the due day itself is still on time')
  clock = computeClock(calendar, { ...base, now: rome('2026-04-22') })
  t.match(clock, { daysLeft: -2, standardMet: false }, 'two working days late')
  clock = computeClock(calendar, { ...base, now: rome('2026-04-06') })
  t.equal(clock.daysLeft, 10, 'Easter Monday does not count: 20 days taken by Friday 3 April')

  // The reply stops the clock: working day 29 (Fri 17 April) met, 30 (Mon 20) met, 31 (Tue 21) missed.
  for (const [day, taken, met] of [
    ['2026-04-17', 29, true],
    ['2026-04-20', 30, true],
    ['2026-04-21', 31, false]
  ] as const) {
    clock = computeClock(calendar, { ...base, replySentAt: rome(day, '16:00'), now: rome('2026-11-26') })
    t.match(clock, { state: 'stopped', workingDaysTaken: taken, standardMet: met, daysLeft: null }, `reply on ${day}`)
  }
})

t.test('suspension while waiting for the user, and extensions', async (t) => {
  const receivedAt = rome('2026-03-02') // Monday
  const suspend: ClockEvent = { action: 'suspend', at: rome('2026-03-04'), days: null } // Wednesday: day 2
  const resume: ClockEvent = { action: 'resume', at: rome('2026-03-11'), days: null } // next Wednesday
  const base = { standardWorkingDays: 30, receivedAt, replySentAt: null }
  // Without events: 3–6 (4), 9–13 (9), 16–20 (14), 23–27 (19), 30 Mar–3 Apr (24), 7–10 Apr (28), 13 (29), 14 (30).
  t.equal(computeClock(calendar, { ...base, events: [], now: rome('2026-03-02') }).dueDate, '2026-04-14')

  let clock = computeClock(calendar, { ...base, events: [suspend], now: rome('2026-03-09') })
  t.match(
    clock,
    { state: 'suspended', suspended: true, daysLeft: 28, suspendedWorkingDays: 3, workingDaysTaken: 2 },
    'days left freeze while suspended (5, 6, 9 March suspended)'
  )
  t.equal(checkClockAction(clock, 'suspend'), 'alreadySuspended')
  t.equal(checkClockAction(clock, 'resume'), null)

  // Suspended 5, 6, 9, 10, 11 March (the resume day counts as suspended, like the receipt day is day 0).
  clock = computeClock(calendar, { ...base, events: [suspend, resume], now: rome('2026-03-12') })
  t.match(clock, { state: 'running', suspendedWorkingDays: 5, workingDaysTaken: 3, daysLeft: 27, dueDate: '2026-04-21' })
  t.equal(checkClockAction(clock, 'resume'), 'notSuspended')

  // A reply on 21 April, the new due day: 35 working days elapsed, 5 of them suspended → 30 taken, met.
  clock = computeClock(calendar, { ...base, events: [suspend, resume], replySentAt: rome('2026-04-21'), now: rome('2026-05-01') })
  t.match(clock, { state: 'stopped', workingDaysTaken: 30, standardMet: true })
  t.equal(checkClockAction(clock, 'suspend'), 'replied')

  // An extension moves only the operational target, never compliance.
  const extend: ClockEvent = { action: 'extend', at: rome('2026-04-10'), days: 5 }
  clock = computeClock(calendar, { ...base, events: [extend], replySentAt: rome('2026-04-16'), now: rome('2026-05-01') })
  t.match(clock, { dueDate: '2026-04-14', extendedDueDate: '2026-04-21', workingDaysTaken: 32, standardMet: false })

  // Suspending a late request is refused: a pause cannot rescue a miss after the fact.
  clock = computeClock(calendar, { ...base, events: [], now: rome('2026-04-15') })
  t.equal(clock.daysLeft, -1)
  t.equal(checkClockAction(clock, 'suspend'), 'late')
  t.equal(checkClockAction(computeClock(calendar, { ...base, standardWorkingDays: null, events: [], now: rome('2026-03-03') }), 'extend'), 'noStandard')
})

t.test('indicators arithmetic', async (t) => {
  const list = computeIndicators(
    [
      { type: 'reclamo_scritto', standardMet: true, missCause: null, workingDaysTaken: 10, replied: true },
      { type: 'reclamo_scritto', standardMet: true, missCause: null, workingDaysTaken: 20, replied: true },
      { type: 'reclamo_scritto', standardMet: false, missCause: 'gestore', workingDaysTaken: 33, replied: true },
      { type: 'reclamo_scritto', standardMet: false, missCause: null, workingDaysTaken: 0, replied: false },
      { type: 'reclamo_scritto', standardMet: null, missCause: null, workingDaysTaken: 0, replied: false },
      { type: 'altro', standardMet: null, missCause: null, workingDaysTaken: 3, replied: true }
    ],
    DEFAULT_STANDARDS,
    (type) => (type === 'reclamo_scritto' ? 50 : 70)
  )
  t.same(
    list.map((s) => s.type),
    [
      'reclamo_scritto',
      'richiesta_informazioni',
      'rettifica_importi',
      'segnalazione_disservizio',
      'ritiro_su_chiamata',
      'riparazione_attrezzature',
      'attivazione_variazione_cessazione',
      'consegna_attrezzature',
      'rimborso_importi',
      'inoltro_tra_gestori',
      'inoltro_risposta'
    ],
    'every standard in force, the follow-up clocks too; "altro" has none'
  )
  t.match(list[0], {
    requests: 5,
    met: 2,
    missed: 2,
    pending: 1,
    percentMet: 50,
    averageWorkingDays: 21,
    minimumPercent: 50,
    compliant: true,
    missedByCause: { gestore: 1, forza_maggiore: 0, utente_o_terzi: 0, non_registrata: 1 }
  })
  t.match(list[1], { requests: 0, percentMet: null, averageWorkingDays: null, compliant: null })
})

t.test('CSV for Italian Excel', async (t) => {
  const csv = toCsv({
    name: 'x',
    columns: [
      { header: 'Nome', kind: 'text' },
      { header: 'Data', kind: 'date' },
      { header: 'Percentuale', kind: 'decimal' },
      { header: 'N', kind: 'integer' }
    ],
    rows: [
      ['=HYPERLINK("http://evil")', '2026-03-06', 66.7, 3],
      ['Rossi; Mario "Super"', null, null, 0]
    ]
  })
  t.ok(csv.startsWith('\uFEFF'), 'UTF-8 byte-order mark')
  t.equal(csv.slice(1), 'Nome;Data;Percentuale;N\r\n' + `"'=HYPERLINK(""http://evil"")";06/03/2026;66,7;3\r\n` + '"Rossi; Mario ""Super""";;;0\r\n')
})

t.test('XLSX structure', async (t) => {
  t.equal(columnLetter(0), 'A')
  t.equal(columnLetter(25), 'Z')
  t.equal(columnLetter(26), 'AA')
  t.equal(excelSerial('1900-03-01'), 61)
  t.equal(excelSerial('2026-03-06'), 46087)
  const buffer = await toXlsx({
    name: 'Registro: 2026/1',
    columns: [
      { header: 'Codice & tipo', kind: 'text' },
      { header: 'Data', kind: 'date' }
    ],
    rows: [['<b>x</b>\u0001', '2026-03-06']]
  })
  const zip = await JSZip.loadAsync(buffer)
  t.same(
    Object.keys(zip.files)
      .filter((f) => !f.endsWith('/'))
      .sort(),
    ['[Content_Types].xml', '_rels/.rels', 'xl/_rels/workbook.xml.rels', 'xl/styles.xml', 'xl/workbook.xml', 'xl/worksheets/sheet1.xml']
  )
  const sheet = await zip.file('xl/worksheets/sheet1.xml')?.async('string')
  t.match(sheet, /<c r="A1" t="inlineStr" s="2"><is><t xml:space="preserve">Codice &amp; tipo<\/t><\/is><\/c>/)
  t.match(
    sheet,
    /<c r="A2" t="inlineStr"><is><t xml:space="preserve">&lt;b&gt;x&lt;\/b&gt;<\/t><\/is><\/c><c r="B2" s="1"><v>46087<\/v><\/c>/,
    'escaped, control character dropped, date as serial'
  )
  t.match(await zip.file('xl/workbook.xml')?.async('string'), /<sheet name="Registro {2}2026 1"/, 'sheet name without forbidden characters')
})

t.test('the arera option is validated', async (t) => {
  const base = {
    knex: {} as never,
    mapping: {
      contributors: { table: 'c', id: 'id', displayName: 'n', emails: ['e'] },
      workOrders: { table: 'w', id: 'id', contributorId: 'c', status: 's', subject: 'o', createdAt: 'd', statuses: { open: 'A', closed: 'C' } }
    },
    genericContributorId: 1,
    authorize: () => null,
    secret: 'x'.repeat(32)
  }
  t.same(validateOptions(base).arera, { scheme: null, minimumPercent: undefined, digest: null, territories: [] }, 'optional')
  t.match(validateOptions({ ...base, arera: { scheme: 'III', minimumPercent: { ritiro_su_chiamata: 50 } } }).arera, {
    scheme: 'III',
    minimumPercent: { ritiro_su_chiamata: 50 }
  })
  t.throws(() => validateOptions({ ...base, arera: { scheme: 'V' } }), /option "arera.scheme" must be one of "I", "II", "III", "IV"/)
  t.throws(() => validateOptions({ ...base, arera: { minimumPercent: 120 } }), /"arera.minimumPercent" must be a percentage 0..100/)
  t.throws(() => validateOptions({ ...base, arera: { minimumPercent: { reclamo: 70 } } }), /"arera.minimumPercent.reclamo" is not a request type/)
  t.throws(() => validateOptions({ ...base, arera: { digest: { to: ['ufficio@example.test'], hour: 8 } } }), /"arera.digest" needs "mail.from"/)
  t.throws(
    () => validateOptions({ ...base, mail: { from: 'a@b.it' }, arera: { digest: { to: ['nope'], hour: 8 } } }),
    /"arera.digest.to\[0\]" is not an email address/
  )
  t.throws(
    () => validateOptions({ ...base, mail: { from: 'a@b.it' }, arera: { digest: { to: ['x@y.it'], hour: 24 } } }),
    /"arera.digest.hour" must be an hour 0..23/
  )
})
