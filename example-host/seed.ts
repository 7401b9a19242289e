// Deterministic demo data: 220+ contributors with realistic Italian names, fiscal codes and addresses, the
// addresses the contract names, a generic contributor, and a few hundred work orders in several states.
import type { Knex } from 'knex'
import { buildFiscalCode } from '../src/domain/codice-fiscale.js'

const MALE = [
  'Marco',
  'Giuseppe',
  'Luca',
  'Andrea',
  'Francesco',
  'Alessandro',
  'Matteo',
  'Lorenzo',
  'Davide',
  'Stefano',
  'Paolo',
  'Giovanni',
  'Antonio',
  'Roberto',
  'Simone',
  'Federico',
  'Nicola',
  'Salvatore',
  'Vincenzo',
  'Emanuele',
  'Niccolò',
  'Raffaele',
  'Gabriele',
  'Tommaso'
]
const FEMALE = [
  'Giulia',
  'Francesca',
  'Sara',
  'Chiara',
  'Anna',
  'Martina',
  'Laura',
  'Valentina',
  'Alessandra',
  'Elena',
  'Silvia',
  'Federica',
  'Paola',
  'Roberta',
  'Beatrice',
  'Caterina',
  'Lucia',
  'Ilaria',
  'Noemi',
  'Letizia',
  'Aurora',
  'Graziella'
]
const SURNAMES = [
  'Rossi',
  'Russo',
  'Ferrari',
  'Esposito',
  'Romano',
  'Colombo',
  'Ricci',
  'Marino',
  'Greco',
  'Bruno',
  'Gallo',
  'Conti',
  'De Luca',
  'Mancini',
  'Costa',
  'Giordano',
  'Rizzo',
  'Lombardi',
  'Moretti',
  'Barbieri',
  'Fontana',
  'Santoro',
  'Mariani',
  'Rinaldi',
  'Caruso',
  'Ferrara',
  'Galli',
  'Martini',
  'Leone',
  'Longo',
  'Gentile',
  'Martinelli',
  'Vitale',
  'Lombardo',
  'Serra',
  'Coppola',
  'De Santis',
  "D'Angelo",
  'Marchetti',
  'Parisi',
  'Villa',
  'Conte',
  'Ferraro',
  'Fabbri',
  'Bianco',
  'Marini',
  'Grasso',
  'Valentini',
  'Messina',
  'Sala',
  'Pellegrini',
  'Palumbo',
  'Sanna',
  'Farina',
  'Rizzi',
  'Monti',
  'Cattaneo',
  'Morelli',
  'Amato',
  'Silvestri',
  'Mazza',
  'Testa',
  'Grassi',
  'Pellegrino',
  'Carbone',
  'Giuliani',
  'Benedetti',
  'Barone',
  'Rossetti',
  'Caputo',
  'Montanari',
  'Guerra',
  'Palmieri',
  'Bernardi',
  'Martino',
  'Fiore',
  'De Rosa',
  'Ferri',
  'Lucchini',
  'Galletti',
  'Orlando',
  'Cocco'
]
const STREETS = [
  'Via Roma',
  'Via Garibaldi',
  'Corso Vittorio Emanuele II',
  'Via Mazzini',
  'Via Cavour',
  'Piazza della Libertà',
  'Via Dante Alighieri',
  'Via XX Settembre',
  'Viale della Repubblica',
  'Via Giacomo Matteotti',
  'Via San Francesco',
  "Via Sant'Antonio",
  'Via dei Mille',
  'Via Nazionale',
  'Largo Gramsci',
  'Via Piave',
  'Via Trieste',
  'Via Udine',
  'Vicolo del Pozzo',
  'Strada Provinciale 12'
]
const TOWNS: Array<[string, string]> = [
  ['Bologna', 'A944'],
  ['Modena', 'F257'],
  ["Reggio nell'Emilia", 'H223'],
  ['Parma', 'G337'],
  ['Ferrara', 'D548'],
  ['Ravenna', 'H199'],
  ['Forlì', 'D704'],
  ['Rimini', 'H294'],
  ['Imola', 'E289'],
  ['Carpi', 'B819'],
  ['Cesena', 'C573'],
  ['Faenza', 'D458']
]
const HOST_WORK_ORDER_TYPES = ['RECLAMO', 'INFORMAZIONI', 'RETTIFICA', 'DISSERVIZIO', 'RITIRO', 'RIPARAZIONE', 'ATTIVAZIONE', 'ALTRO']
const SUBJECTS: Record<string, string[]> = {
  RECLAMO: ['Mancata raccolta del secco residuo', 'Operatore scortese durante il ritiro', 'Cassonetto non svuotato da una settimana'],
  INFORMAZIONI: ['Calendario della raccolta differenziata', 'Orari del centro di raccolta', 'Come smaltire gli oli esausti'],
  RETTIFICA: ['Importo TARI errato per superficie', 'Doppio addebito sulla bolletta', 'Numero componenti del nucleo errato'],
  DISSERVIZIO: ['Rifiuti abbandonati in strada', 'Spazzamento non effettuato', 'Cestino stradale rotto'],
  RITIRO: ['Ritiro ingombranti: divano e materasso', 'Ritiro sfalci e potature', 'Ritiro RAEE: frigorifero'],
  RIPARAZIONE: ["Bidone dell'umido con coperchio rotto", 'Sostituzione mastello carta', 'Chiave del cassonetto smarrita'],
  ATTIVAZIONE: ['Attivazione nuova utenza', 'Variazione intestatario', 'Cessazione utenza per trasloco'],
  ALTRO: ['Richiesta generica', 'Segnalazione varia', 'Comunicazione al gestore']
}
const HOST_STATES = ['APERTO', 'IN_LAVORAZIONE', 'SOSPESO', 'CHIUSO']

/** Small deterministic PRNG (mulberry32): the same seed gives the same demo data on every machine. */
function prng(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const slug = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]/g, '')

export interface SeedSummary {
  genericContributorId: number
  contributors: number
  workOrders: number
}

interface ContributorRow {
  nominativo: string
  codice_fiscale: string | null
  email: string | null
  email_secondaria: string | null
  pec: string | null
  indirizzo: string | null
  comune: string | null
  codice_utente: string | null
  generico: boolean
}

export async function seedIfEmpty(knex: Knex, contributorCount = 220, workOrderCount = 320): Promise<SeedSummary | null> {
  const existing = await knex('contribuenti').count({ n: '*' }).first()
  if (Number(existing?.n ?? 0) > 0) return null
  const random = prng(20261126)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T
  const person = (name: string, surname: string, female: boolean, email: string | null, extra: Partial<ContributorRow> = {}): ContributorRow => {
    const [town, belfiore] = pick(TOWNS)
    const birth = { year: 1940 + Math.floor(random() * 65), month: 1 + Math.floor(random() * 12), day: 1 + Math.floor(random() * 28) }
    return {
      nominativo: `${surname} ${name}`,
      codice_fiscale: buildFiscalCode(surname, name, birth, female, belfiore),
      email,
      email_secondaria: null,
      pec: null,
      indirizzo: `${pick(STREETS)} ${1 + Math.floor(random() * 180)}`,
      comune: town,
      codice_utente: null,
      generico: false,
      ...extra
    }
  }

  const rows: ContributorRow[] = [
    {
      nominativo: 'CONTRIBUENTE GENERICO – mittente non identificato',
      codice_fiscale: null,
      email: null,
      email_secondaria: null,
      pec: null,
      indirizzo: null,
      comune: null,
      codice_utente: null,
      generico: true
    },
    person('Mario', 'Rossi', false, 'mario.rossi@example.test', { pec: 'mario.rossi@pec.example.test' }),
    person('Giuseppe', 'Bianchi', false, 'famiglia.bianchi@example.test'),
    person('Anna', 'Bianchi', true, 'famiglia.bianchi@example.test', { email_secondaria: 'anna.bianchi@example.test' })
  ]
  const used = new Set(rows.map((r) => r.email))
  while (rows.length < contributorCount) {
    const female = random() < 0.5
    const name = pick(female ? FEMALE : MALE)
    const surname = pick(SURNAMES)
    let email = `${slug(name)}.${slug(surname)}@example.test`
    for (let n = 2; used.has(email); n++) email = `${slug(name)}.${slug(surname)}${n}@example.test`
    used.add(email)
    const withoutEmail = random() < 0.08
    const row = person(name, surname, female, withoutEmail ? null : email)
    if (!withoutEmail && random() < 0.18) row.email_secondaria = `${slug(name)[0]}${slug(surname)}${rows.length}@posta.example.test`
    rows.push(row)
  }
  rows.forEach((r, i) => {
    if (!r.generico) r.codice_utente = `U${String(100000 + i)}`
  })
  await knex.batchInsert('contribuenti', rows, 50)

  const ids: number[] = (await knex('contribuenti').select('id_contribuente').orderBy('id_contribuente')).map((r: { id_contribuente: unknown }) =>
    Number(r.id_contribuente)
  )
  const genericContributorId = ids[0] as number
  const start = Date.UTC(2026, 0, 7)
  const workOrders = []
  for (let i = 0; i < workOrderCount; i++) {
    const type = pick(HOST_WORK_ORDER_TYPES)
    const contributor = ids[1 + Math.floor(random() * (ids.length - 1))] as number
    const subject = pick(SUBJECTS[type] ?? ['Richiesta'])
    workOrders.push({
      id_contribuente: contributor,
      tipo_odl: type,
      stato: pick(HOST_STATES),
      oggetto: subject,
      descrizione: `${subject}. Pratica registrata dallo sportello.`,
      data_apertura: new Date(start + Math.floor(random() * 300) * 86_400_000 + Math.floor(random() * 36_000_000)),
      origine: pick(['SPORTELLO', 'TELEFONO', 'SPORTELLO'])
    })
  }
  await knex.batchInsert('ordini_lavoro', workOrders, 50)
  return { genericContributorId, contributors: rows.length, workOrders: workOrders.length }
}
