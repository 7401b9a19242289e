// The working-day calendar behind every ARERA deadline: holidays, the day-0 rule, time zones, speed.
// Expected dates were counted by hand on a wall calendar; the counting is written next to each assertion.
import t from 'tap'
import {
  addCalendarDays,
  createWorkingCalendar,
  easterSunday,
  isIsoDate,
  isoWeekday,
  italianHolidays,
  romeDate,
  type IsoDate
} from '../../src/domain/working-days.js'

const rome = createWorkingCalendar()

t.test('Easter Sunday and Easter Monday', async (t) => {
  const easterMonday: Record<number, IsoDate> = {
    2024: '2024-04-01',
    2025: '2025-04-21',
    2026: '2026-04-06',
    2027: '2027-03-29',
    2028: '2028-04-17',
    2029: '2029-04-02',
    2030: '2030-04-22'
  }
  for (const [year, monday] of Object.entries(easterMonday)) {
    const y = Number(year)
    t.equal(addCalendarDays(easterSunday(y), 1), monday, `Easter ${y} is the day before ${monday}`)
    const listed = italianHolidays(y).find((h) => h.name === "Lunedì dell'Angelo")
    t.equal(listed?.date, monday, `italianHolidays(${y}) has Lunedì dell'Angelo on ${monday}`)
    t.equal(rome.holidayName(monday), "Lunedì dell'Angelo")
    t.notOk(rome.isWorkingDay(monday), `${monday} is not a working day`)
    t.ok(rome.isWorkingDay(addCalendarDays(monday, 1)), 'the Tuesday after is a working day')
  }
  // Edge years of the algorithm: the earliest (22 March) and latest (25 April) possible Easter dates.
  t.equal(easterSunday(1818), '1818-03-22')
  t.equal(easterSunday(2285), '2285-03-22')
  t.equal(easterSunday(1943), '1943-04-25')
  t.equal(easterSunday(2038), '2038-04-25')
  t.equal(easterSunday(2000), '2000-04-23')
  t.equal(easterSunday(2019), '2019-04-21')
  t.throws(() => easterSunday(1500), RangeError, 'no Gregorian Easter before 1583')
  // 2038: Easter Monday is 26 April, right after Liberazione on Sunday 25 April: both days off.
  t.equal(rome.holidayName('2038-04-25'), 'Festa della Liberazione / Pasqua')
  t.equal(rome.holidayName('2038-04-26'), "Lunedì dell'Angelo")
})

t.test('the national holidays of a year', async (t) => {
  const h2026 = italianHolidays(2026)
  t.same(
    h2026.map((h) => `${h.date} ${h.name}`),
    [
      '2026-01-01 Capodanno',
      '2026-01-06 Epifania',
      '2026-04-05 Pasqua',
      "2026-04-06 Lunedì dell'Angelo",
      '2026-04-25 Festa della Liberazione',
      '2026-05-01 Festa del Lavoro',
      '2026-06-02 Festa della Repubblica',
      '2026-08-15 Ferragosto',
      "2026-10-04 San Francesco d'Assisi",
      '2026-11-01 Ognissanti',
      '2026-12-08 Immacolata Concezione',
      '2026-12-25 Natale',
      '2026-12-26 Santo Stefano'
    ],
    'thirteen entries, sorted, with Italian names'
  )
  for (const h of h2026) t.ok(h.nameEn.length > 0, `${h.name} has an English name too`)
  t.notOk(
    italianHolidays(2026, { includeEasterSunday: false }).some((h) => h.name === 'Pasqua'),
    'Easter Sunday can be left out'
  )
})

t.test('4 October is a national holiday again from 2026', async (t) => {
  t.notOk(
    italianHolidays(2025).some((h) => h.date === '2025-10-04'),
    'not in 2025'
  )
  t.ok(
    italianHolidays(2026).some((h) => h.date === '2026-10-04' && h.name === "San Francesco d'Assisi"),
    'yes in 2026'
  )
  t.ok(
    italianHolidays(2027).some((h) => h.date === '2027-10-04'),
    'and after'
  )
  // 2025: 4/5 October are Saturday/Sunday, so Friday 3 + 1 working day is Monday 6 either way.
  t.equal(isoWeekday('2025-10-04'), 6)
  t.equal(rome.addWorkingDays('2025-10-03', 1), '2025-10-06')
  t.equal(rome.holidayName('2025-10-04'), null, 'no name in 2025')
  // 2024: 4 October is a Friday and still an ordinary working day.
  t.equal(isoWeekday('2024-10-04'), 5)
  t.ok(rome.isWorkingDay('2024-10-04'))
  t.equal(rome.addWorkingDays('2024-10-03', 1), '2024-10-04')
  // 2027: 4 October is a Monday and a holiday: Friday 1 + 1 working day is Tuesday 5.
  t.equal(isoWeekday('2027-10-04'), 1)
  t.notOk(rome.isWorkingDay('2027-10-04'))
  t.equal(rome.holidayName('2027-10-04'), "San Francesco d'Assisi")
  t.equal(rome.addWorkingDays('2027-10-01', 1), '2027-10-05')
  // Fri 1 → Tue 5, Wed 6, Thu 7, Fri 8 = 4 (Mon 4 skipped).
  t.equal(rome.workingDaysBetween('2027-10-01', '2027-10-08'), 4)
})

t.test('30 working days around Christmas', async (t) => {
  // Received Friday 2026-12-18 (day 0). Holidays: Fri 25 Dec, Sat 26 Dec, Fri 1 Jan 2027, Wed 6 Jan 2027.
  // Dec 21-24 → 1-4; Dec 28-31 → 5-8; Jan 4, 5 → 9, 10; Jan 7, 8 → 11, 12; Jan 11-15 → 13-17;
  // Jan 18-22 → 18-22; Jan 25-29 → 23-27; Feb 1, 2, 3 → 28, 29, 30.
  t.equal(rome.addWorkingDays('2026-12-18', 30), '2027-02-03')
  t.equal(rome.workingDaysBetween('2026-12-18', '2027-02-03'), 30)
  // 10 working days: Jan 5 (see above); 15: Jan 13.
  t.equal(rome.addWorkingDays('2026-12-18', 10), '2027-01-05')
  t.equal(rome.addWorkingDays('2026-12-18', 15), '2027-01-13')
  // Received on Christmas Day itself (a holiday): day 1 is Monday 28 Dec; 30 → Dec 28-31 (1-4), Jan 4, 5
  // (5, 6), Jan 7, 8 (7, 8), Jan 11-15 (9-13), 18-22 (14-18), 25-29 (19-23), Feb 1-5 (24-28), Feb 8, 9 (29, 30).
  t.equal(rome.addWorkingDays('2026-12-25', 30), '2027-02-09')
})

t.test('30 working days around Easter 2026', async (t) => {
  // Received Thursday 2026-04-02. Easter Monday 6 April; 25 April is a Saturday; 1 May is a Friday.
  // Apr 3 → 1; Apr 7-10 → 2-5; Apr 13-17 → 6-10; Apr 20-24 → 11-15; Apr 27-30 → 16-19;
  // May 4-8 → 20-24; May 11-15 → 25-29; Mon May 18 → 30.
  t.equal(isoWeekday('2026-04-02'), 4)
  t.equal(rome.addWorkingDays('2026-04-02', 30), '2026-05-18')
  t.equal(rome.workingDaysBetween('2026-04-02', '2026-05-18'), 30)
  t.equal(rome.addWorkingDays('2026-04-03', 1), '2026-04-07', 'Good Friday + 1 skips Easter Monday')
})

t.test('30 working days around Ferragosto', async (t) => {
  // 2026: 15 August is a Saturday, so it costs nothing. Received Friday 14 (or on Saturday 15 itself):
  // Aug 17-21 → 1-5; Aug 24-28 → 6-10; Aug 31-Sep 4 → 11-15; Sep 7-11 → 16-20; Sep 14-18 → 21-25;
  // Sep 21-25 → 26-30.
  t.equal(isoWeekday('2026-08-15'), 6)
  t.equal(rome.holidayName('2026-08-15'), 'Ferragosto')
  t.equal(rome.addWorkingDays('2026-08-14', 30), '2026-09-25')
  t.equal(rome.addWorkingDays('2026-08-15', 30), '2026-09-25')
  // 2025: 15 August is a Friday. Received Thursday 14: Aug 18-22 → 1-5; 25-29 → 6-10; Sep 1-5 → 11-15;
  // Sep 8-12 → 16-20; Sep 15-19 → 21-25; Sep 22-26 → 26-30. Without the holiday it would be Sep 25.
  t.equal(isoWeekday('2025-08-15'), 5)
  t.equal(rome.addWorkingDays('2025-08-14', 1), '2025-08-18')
  t.equal(rome.addWorkingDays('2025-08-14', 30), '2025-09-26')
})

t.test('received on a Saturday', async (t) => {
  // Saturday 2026-01-10: day 1 is Monday 12. 30 → Jan 12-16 (1-5), 19-23 (6-10), 26-30 (11-15),
  // Feb 2-6 (16-20), 9-13 (21-25), 16-20 (26-30).
  t.equal(isoWeekday('2026-01-10'), 6)
  t.notOk(rome.isWorkingDay('2026-01-10'))
  t.equal(rome.holidayName('2026-01-10'), null, 'a plain Saturday has no holiday name')
  t.equal(rome.addWorkingDays('2026-01-10', 1), '2026-01-12')
  t.equal(rome.addWorkingDays('2026-01-10', 30), '2026-02-20')
  t.equal(rome.addWorkingDays('2026-01-09', 30), '2026-02-20', 'same deadline as the Friday before')
  t.equal(rome.addWorkingDays('2026-01-10', 0), '2026-01-10', 'n = 0 is the receipt day itself')
  t.equal(rome.workingDaysBetween('2026-01-09', '2026-01-11'), 0, 'a weekend contains no working day')
  t.equal(rome.workingDaysBetween('2026-01-09', '2026-01-12'), 1)
})

t.test('patron saint and extra closures', async (t) => {
  // Milan: Sant'Ambrogio on 7 December. In 2026 that is Monday 7, followed by Immacolata on Tuesday 8.
  const milano = createWorkingCalendar({ patronSaint: { month: 12, day: 7, name: "Sant'Ambrogio" } })
  t.equal(isoWeekday('2026-12-07'), 1)
  t.equal(milano.holidayName('2026-12-07'), "Sant'Ambrogio")
  t.equal(milano.addWorkingDays('2026-12-04', 1), '2026-12-09', 'Fri 4 → Wed 9 in Milan')
  t.equal(rome.addWorkingDays('2026-12-04', 1), '2026-12-07', 'Fri 4 → Mon 7 elsewhere')
  t.ok(milano.holidays(2026).some((h) => h.kind === 'patron' && h.date === '2026-12-07'))

  // Bologna: San Petronio on 4 October. In 2024 (before the national holiday) Friday 4 is closed in Bologna only.
  const bologna = createWorkingCalendar({ patronSaint: { month: 10, day: 4, name: 'San Petronio' } })
  t.equal(bologna.addWorkingDays('2024-10-03', 1), '2024-10-07')
  t.equal(rome.addWorkingDays('2024-10-03', 1), '2024-10-04')
  // In 2027 San Petronio coincides with San Francesco: both names, but one day off, not two.
  t.equal(bologna.holidayName('2027-10-04'), "San Francesco d'Assisi / San Petronio")
  t.same(bologna.holidayNames('2027-10-04'), ["San Francesco d'Assisi", 'San Petronio'])
  t.equal(bologna.workingDaysBetween('2027-10-01', '2027-10-08'), 4)
  t.equal(bologna.workingDaysBetween('2027-01-01', '2027-12-31'), rome.workingDaysBetween('2027-01-01', '2027-12-31'))
  t.equal(
    bologna.workingDaysBetween('2024-01-01', '2024-12-31'),
    rome.workingDaysBetween('2024-01-01', '2024-12-31') - 1,
    'in 2024 Bologna has one working day less'
  )

  // A bridge closure on Friday 2026-08-14 and a named one on Wednesday 2026-12-23.
  const closed = createWorkingCalendar({
    extraClosures: ['2026-08-14', { date: '2026-12-23', name: 'Chiusura uffici', nameEn: 'Offices closed' }]
  })
  t.equal(closed.holidayName('2026-08-14'), 'Chiusura straordinaria')
  t.equal(closed.holidayName('2026-12-23'), 'Chiusura uffici')
  t.equal(closed.addWorkingDays('2026-08-13', 1), '2026-08-17')
  t.equal(rome.addWorkingDays('2026-08-13', 1), '2026-08-14')
  // Christmas example minus one working day (Dec 23): 30 lands one working day later, Thursday 4 Feb.
  t.equal(closed.addWorkingDays('2026-12-18', 30), '2027-02-04')

  t.throws(() => createWorkingCalendar({ patronSaint: { month: 2, day: 30, name: 'X' } }), RangeError)
  t.throws(() => createWorkingCalendar({ extraClosures: ['2026-13-01'] }), RangeError)
  // A 29 February patron is a holiday only in leap years.
  const leap = createWorkingCalendar({ patronSaint: { month: 2, day: 29, name: 'San Leap' } })
  t.equal(leap.holidayName('2028-02-29'), 'San Leap')
  t.same(
    leap.holidays(2027).filter((h) => h.kind === 'patron'),
    []
  )
})

t.test('configurable working week', async (t) => {
  // Monday–Saturday: Saturdays count, Sundays and holidays do not.
  const sixDays = createWorkingCalendar({ workingWeekdays: [1, 2, 3, 4, 5, 6] })
  t.ok(sixDays.isWorkingDay('2026-01-10'))
  t.notOk(sixDays.isWorkingDay('2026-01-11'))
  t.equal(sixDays.addWorkingDays('2026-01-09', 1), '2026-01-10')
  t.equal(sixDays.addWorkingDays('2026-01-09', 2), '2026-01-12')
  // Saturday 26 December 2026 is Santo Stefano: closed even in a six-day week. Thu 24 → Sat 26 skipped.
  // Thu 24 + 1 → Mon 28 (Fri 25 Natale, Sat 26 Santo Stefano, Sun 27).
  t.equal(sixDays.addWorkingDays('2026-12-24', 1), '2026-12-28')
  t.same(sixDays.workingWeekdays, [1, 2, 3, 4, 5, 6])
  t.throws(() => createWorkingCalendar({ workingWeekdays: [] }), RangeError)
  t.throws(() => createWorkingCalendar({ workingWeekdays: [0] }), RangeError)
  t.throws(() => createWorkingCalendar({ workingWeekdays: [8] }), RangeError)
})

t.test('input validation', async (t) => {
  t.throws(() => rome.addWorkingDays('2026-01-10', -1), RangeError)
  t.throws(() => rome.addWorkingDays('2026-01-10', 1.5), RangeError)
  t.throws(() => rome.addWorkingDays('2026-02-30', 1), RangeError)
  t.throws(() => rome.isWorkingDay('10/01/2026'), RangeError)
  t.throws(() => rome.workingDaysBetween('2026-1-1', '2026-02-01'), RangeError)
  t.ok(isIsoDate('2028-02-29'))
  t.notOk(isIsoDate('2027-02-29'))
  t.notOk(isIsoDate('2026-02-01T00:00:00Z'))
  t.notOk(isIsoDate(20260201))
  t.equal(rome.workingDaysBetween('2026-05-18', '2026-04-02'), 0, 'to before from')
  t.equal(rome.workingDaysBetween('2026-05-18', '2026-05-18'), 0, 'same day')
  t.equal(addCalendarDays('2028-02-28', 1), '2028-02-29')
  t.equal(addCalendarDays('2027-03-01', -1), '2027-02-28')
})

t.test('romeDate across DST and midnight', async (t) => {
  const cases: Array<[string, IsoDate, string]> = [
    ['2026-03-28T23:30:00Z', '2026-03-29', '00:30 CET, just before the spring change'],
    ['2026-03-28T22:59:59Z', '2026-03-28', '23:59:59 CET'],
    ['2026-03-29T21:59:59Z', '2026-03-29', '23:59:59 CEST on the day of the change'],
    ['2026-03-29T22:00:00Z', '2026-03-30', '00:00 CEST'],
    ['2026-07-01T22:30:00Z', '2026-07-02', '00:30 CEST in summer (a fixed +1 offset would say 1 July)'],
    ['2026-07-01T21:30:00Z', '2026-07-01', '23:30 CEST'],
    ['2026-10-24T22:00:00Z', '2026-10-25', '00:00 CEST on the day of the autumn change'],
    ['2026-10-25T22:59:59Z', '2026-10-25', '23:59:59 CET after the change (a fixed +2 offset would say 26)'],
    ['2026-10-25T23:00:00Z', '2026-10-26', '00:00 CET'],
    ['2026-01-15T23:30:00Z', '2026-01-16', '00:30 CET in winter'],
    ['2026-12-31T23:00:00Z', '2027-01-01', 'new year in Rome an hour before UTC']
  ]
  for (const [instant, expected, why] of cases) t.equal(romeDate(new Date(instant)), expected, `${instant}: ${why}`)
  t.throws(() => romeDate(new Date('nope')), RangeError)
})

// Deterministic pseudo-random numbers (mulberry32) so a failure is reproducible.
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = a
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

function randomDate(next: () => number, fromYear: number, toYear: number): IsoDate {
  const start = Date.UTC(fromYear, 0, 1)
  const end = Date.UTC(toYear, 11, 31)
  return new Date(start + Math.floor(next() * ((end - start) / 86_400_000 + 1)) * 86_400_000).toISOString().slice(0, 10)
}

t.test('addWorkingDays and workingDaysBetween agree with a day-by-day reference', async (t) => {
  // Reference built only from italianHolidays and the UTC weekday, walking one day at a time.
  const calendars = [
    { name: 'default', cal: rome, weekdays: [1, 2, 3, 4, 5], patron: undefined, closures: [] as IsoDate[] },
    {
      name: 'Bologna Mon-Sat with closures',
      cal: createWorkingCalendar({
        workingWeekdays: [1, 2, 3, 4, 5, 6],
        patronSaint: { month: 10, day: 4, name: 'San Petronio' },
        extraClosures: ['2026-08-14', '2029-12-24', '2031-01-02']
      }),
      weekdays: [1, 2, 3, 4, 5, 6],
      patron: { month: 10, day: 4, name: 'San Petronio' },
      closures: ['2026-08-14', '2029-12-24', '2031-01-02']
    }
  ]
  for (const c of calendars) {
    const off = new Set<IsoDate>(c.closures)
    for (let y = 2019; y <= 2036; y++) for (const h of italianHolidays(y, { patronSaint: c.patron })) off.add(h.date)
    const isWorking = (d: IsoDate): boolean => c.weekdays.includes(isoWeekday(d)) && !off.has(d)
    const slowBetween = (from: IsoDate, to: IsoDate): number => {
      let n = 0
      for (let d = addCalendarDays(from, 1); d <= to; d = addCalendarDays(d, 1)) if (isWorking(d)) n++
      return n
    }
    const next = rng(20260329)
    let checked = 0
    for (let i = 0; i < 400; i++) {
      const x = randomDate(next, 2020, 2032)
      const n = Math.floor(next() * 260)
      const y = c.cal.addWorkingDays(x, n)
      if (c.cal.workingDaysBetween(x, y) !== n) t.fail(`${c.name}: workingDaysBetween(${x}, addWorkingDays(${x}, ${n}) = ${y}) !== ${n}`)
      if (n > 0 && !c.cal.isWorkingDay(y)) t.fail(`${c.name}: ${y} is not a working day`)
      if (n > 0 && c.cal.workingDaysBetween(x, addCalendarDays(y, -1)) !== n - 1) t.fail(`${c.name}: ${y} is not the first such day`)
      const z = randomDate(next, 2020, 2033)
      if (c.cal.workingDaysBetween(x, z) !== slowBetween(x, z)) t.fail(`${c.name}: workingDaysBetween(${x}, ${z}) differs from the reference`)
      if (c.cal.isWorkingDay(z) !== isWorking(z)) t.fail(`${c.name}: isWorkingDay(${z}) differs from the reference`)
      checked++
    }
    t.equal(checked, 400, `${c.name}: 400 random cases checked`)
  }
})

t.test('counting over many years is fast', async (t) => {
  const cal = createWorkingCalendar({ patronSaint: { month: 6, day: 24, name: 'San Giovanni' } })
  const started = performance.now()
  let total = 0
  for (let i = 0; i < 2000; i++) total += cal.workingDaysBetween('1900-01-01', `${2000 + (i % 500)}-06-30`)
  const far = cal.addWorkingDays('2000-01-03', 100_000)
  const elapsed = performance.now() - started
  t.ok(total > 0)
  t.equal(cal.workingDaysBetween('2000-01-03', far), 100_000)
  t.ok(cal.isWorkingDay(far))
  t.ok(elapsed < 2000, `2000 spans of a century or more plus a 100 000-day deadline in ${elapsed.toFixed(0)} ms`)
  // A year has 261 weekdays in 2026 (Thursday start, non-leap: 52 weeks + Thursday), minus the holidays on
  // weekdays: 1 Jan Thu, 6 Jan Tue, 6 Apr Mon, 1 May Fri, 2 Jun Tue, 8 Dec Tue, 25 Dec Fri = 7
  // (25 Apr Sat, 15 Aug Sat, 4 Oct Sun, 1 Nov Sun, 26 Dec Sat fall on weekends) → 254.
  t.equal(rome.workingDaysBetween('2025-12-31', '2026-12-31'), 254)
})
