// The register and the yearly indicators as tables with Italian headers: one source for CSV and XLSX, so the
// two files always carry the same columns. Exports are in Italian: they are regulatory documents for ARERA and
// the Ente territorialmente competente.
import { MISS_CAUSES, type MissCause } from '../../domain/arera.js'
import type { IndicatorsReport, Outcome, RegisterEntry } from '../service.js'
import type { Table } from './format.js'

const CHANNELS: Record<string, string> = { email: 'Email', web: 'Sportello On-line', app: 'App SottoControllo', note: 'Nota interna' }

const OUTCOME_LABELS: Record<Outcome, string> = {
  met: 'Rispettato',
  missed: 'Non rispettato',
  pending: 'In corso',
  no_standard: 'Senza standard'
}

export function missCauseLabel(cause: MissCause | null): string {
  return cause === null ? 'Non registrata' : (MISS_CAUSES.find((c) => c.cause === cause)?.label.it ?? cause)
}

function channelLabel(channel: string): string {
  return CHANNELS[channel] ?? channel
}

const REGISTER_HEADERS = [
  'Codice richiesta',
  'Canale',
  'Contribuente',
  'Codice contribuente',
  'Tipo di richiesta',
  'Tipo confermato',
  'Servizio',
  'Data ricevimento',
  'Scadenza',
  'Data invio risposta',
  'Giorni lavorativi impiegati',
  'Giorni lavorativi di sospensione',
  'Standard (giorni lavorativi)',
  'Esito',
  'Causa mancato rispetto',
  'Termine',
  'Territorio'
] as const

const CLOCK_LABELS: Record<RegisterEntry['clock'], string> = { reply: 'Risposta motivata', service: 'Servizio richiesto' }

export function registerTable(entries: readonly RegisterEntry[]): Table {
  const kinds = [
    'text',
    'text',
    'text',
    'integer',
    'text',
    'text',
    'text',
    'date',
    'date',
    'date',
    'integer',
    'integer',
    'integer',
    'text',
    'text',
    'text',
    'text'
  ] as const
  const widths = [18, 18, 30, 12, 40, 10, 30, 14, 14, 14, 12, 12, 12, 16, 34, 18, 24]
  return {
    name: 'Registro',
    columns: REGISTER_HEADERS.map((header, i) => ({ header, kind: kinds[i] ?? 'text', width: widths[i] })),
    rows: entries.map((e) => [
      e.reference,
      channelLabel(e.channel),
      e.contributorName,
      e.contributorId,
      e.typeLabel,
      e.typeConfirmed ? 'Sì' : 'No',
      e.serviceLabel,
      e.receivedDate,
      e.dueDate,
      e.replyDate,
      e.workingDaysTaken,
      e.suspendedWorkingDays,
      e.standardWorkingDays,
      OUTCOME_LABELS[e.outcome],
      e.outcome === 'missed' ? missCauseLabel(e.missCause) : null,
      CLOCK_LABELS[e.clock],
      e.territory
    ])
  }
}

const INDICATOR_HEADERS = [
  'Standard',
  'Riferimento',
  'Tempo massimo (giorni lavorativi)',
  'Richieste ricevute',
  'Standard rispettato',
  'Standard non rispettato',
  'di cui per forza maggiore',
  "di cui imputabili all'utente o a terzi",
  'di cui imputabili al gestore',
  'di cui causa non registrata',
  'In corso',
  'Percentuale rispettate (%)',
  'Minimo previsto (%)',
  'Tempo medio effettivo (giorni lavorativi)',
  'Rispetto del minimo',
  'Valore da confermare nella Carta'
] as const

export function indicatorsTable(report: IndicatorsReport): Table {
  const kinds = [
    'text',
    'text',
    'integer',
    'integer',
    'integer',
    'integer',
    'integer',
    'integer',
    'integer',
    'integer',
    'integer',
    'decimal',
    'decimal',
    'decimal',
    'text',
    'text'
  ] as const
  return {
    name: `Indicatori ${report.year}`,
    columns: INDICATOR_HEADERS.map((header, i) => ({ header, kind: kinds[i] ?? 'text', width: i === 0 ? 60 : 16 })),
    rows: report.standards.map((s) => [
      s.label.it,
      s.article,
      s.standardWorkingDays,
      s.requests,
      s.met,
      s.missed,
      s.missedByCause.forza_maggiore,
      s.missedByCause.utente_o_terzi,
      s.missedByCause.gestore,
      s.missedByCause.non_registrata,
      s.pending,
      s.percentMet,
      s.minimumPercent,
      s.averageWorkingDays,
      s.compliant === null ? 'Non valutabile' : s.compliant ? 'Raggiunto' : 'Non raggiunto',
      s.toConfirm ? 'Sì' : 'No'
    ])
  }
}
