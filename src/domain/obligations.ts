// TQRIF Schema I ("livello qualitativo minimo"): no general standards, only service obligations, which the
// yearly communication declares as a checklist. Article numbers of arts. 5, 6, 10 and 13 checked against the
// TQRIF table of contents; the others are marked `toConfirm`. Pure data.
import type { Label } from './arera.js'

export interface Obligation {
  code: string
  label: Label
  article: string
  toConfirm: boolean
  /** What this module itself provides towards the obligation; null when it is the operator's alone. */
  module: Label | null
}

const o = (code: string, article: string, toConfirm: boolean, it: string, en: string, module: [string, string] | null = null): Obligation =>
  Object.freeze({ code, article, toConfirm, label: { it, en }, module: module ? { it: module[0], en: module[1] } : null })

export const SCHEMA_I_OBLIGATIONS: readonly Obligation[] = Object.freeze([
  o(
    'carta_qualita',
    'TQRIF art. 5',
    false,
    'Adozione e pubblicazione di una Carta della qualità per ogni gestione',
    'A quality charter adopted and published for each service area',
    ['Pagina pubblica «Carta della qualità» con gli standard per territorio', 'Public "Carta della qualità" page with the standards per territory']
  ),
  o('attivazione', 'TQRIF art. 6', false, "Modalità per l'attivazione del servizio", 'How to request the activation of the service'),
  o(
    'variazione_cessazione',
    'TQRIF art. 10',
    false,
    'Modalità per la variazione o cessazione del servizio',
    'How to request a change or termination of the service'
  ),
  o(
    'procedura_reclami',
    'TQRIF artt. 13, 17, 18',
    true,
    'Procedura per reclami, richieste scritte di informazioni e di rettifica degli importi addebitati, con modulo scaricabile',
    'Procedure for complaints, written information and billing-correction requests, with a downloadable form',
    [
      'Classificazione delle richieste scritte, termini, registro e modulo Sportello On-line',
      'Classification of written requests, clocks, register and the online form'
    ]
  ),
  o(
    'servizio_telefonico',
    'TQRIF art. 20',
    true,
    'Obblighi di servizio telefonico (numero verde gratuito)',
    'Telephone service obligations (toll-free number)'
  ),
  o(
    'pagamento_rettifica',
    'TQRIF artt. 26–28',
    true,
    'Modalità e periodicità di pagamento, rateizzazione e rimborso degli importi non dovuti',
    'Payment terms, instalments and refunds of amounts not due'
  ),
  o('ritiro_su_chiamata', 'TQRIF art. 29', true, 'Servizio di ritiro su chiamata', 'On-call collection service'),
  o(
    'disservizi_riparazioni',
    'TQRIF art. 32',
    true,
    'Gestione dei disservizi e riparazione delle attrezzature per la raccolta domiciliare',
    'Handling of service failures and repair of home-collection equipment',
    ['Secondo termine di intervento o riparazione sugli ordini di lavoro', 'Second (intervention or repair) clock on work orders']
  ),
  o(
    'mappatura_raccolta',
    'TQRIF art. 35',
    true,
    'Mappatura delle aree di raccolta stradale e di prossimità e programma delle attività di raccolta e trasporto',
    'Map of street collection points and collection programme'
  ),
  o('programma_spazzamento', 'TQRIF art. 42', true, 'Programma delle attività di spazzamento e lavaggio delle strade', 'Street sweeping and washing programme'),
  o(
    'pronto_intervento',
    'TQRIF art. 48',
    true,
    'Numero verde di pronto intervento per la sicurezza del servizio',
    'Emergency toll-free number for service safety'
  )
])
