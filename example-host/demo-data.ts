// What the demo conversations say: a handful of scripted conversations of the last weeks (every channel, replies,
// forwards, notes, attachments, an unknown and a shared sender) and a year of requests whose replies came on time
// or late, so the register, the indicators and the carta della qualità have real figures. Fixed content only.
import { buildFiscalCode } from '../src/domain/codice-fiscale.js'
import { demoPdf, demoPng, type DemoFile } from './demo-mail.js'

/** When a step happens: `wd` working days before today (0: today), at a Rome wall-clock time. */
export interface When {
  wd: number
  time: string
}

export type DemoStep =
  | { kind: 'mail'; at: When; from: string; subject: string; text: string; mailbox: 'tari' | 'pec'; pec?: boolean; files?: DemoFile[]; threaded?: boolean }
  | { kind: 'web'; at: When; fields: Record<string, string>; files?: DemoFile[] }
  | { kind: 'app'; at: When; fields: Record<string, string> }
  | { kind: 'reply'; at: When; html: string; reasoned?: boolean; files?: DemoFile[] }
  | { kind: 'forward'; at: When; to: string; note: string }
  | { kind: 'note'; at: When; html: string }
  | { kind: 'state'; at: When; state: 'open' | 'in_progress' | 'waiting' | 'closed' }
  | { kind: 'classify'; at: When; type: string; service?: string }
  | { kind: 'pecReceipts'; at: When }

export interface DemoConversation {
  /** A name for logs and tests. */
  key: string
  steps: DemoStep[]
}

const at = (wd: number, time: string): When => ({ wd, time })
const photo = (name: string, rgb: [number, number, number]): DemoFile => ({ filename: name, contentType: 'image/png', content: demoPng(48, 32, rgb) })
const pdf = (name: string, title: string, lines: string[]): DemoFile => ({ filename: name, contentType: 'application/pdf', content: demoPdf(title, lines) })

export const MARIO = 'Mario Rossi <mario.rossi@example.test>'
export const MARIO_PEC = 'mario.rossi@pec.example.test'
export const BIANCHI = 'Famiglia Bianchi <famiglia.bianchi@example.test>'
export const UNKNOWN = 'Luca Esposito <luca.esposito88@posta.example.test>'
export const CONTRACTOR = 'Ambiente Servizi Soc. Coop. <raccolta@ambienteservizi.example.test>'

/** The scripted conversations, oldest first. The first one is Mario Rossi's, which the tests read message by message. */
export const SHOWCASE: DemoConversation[] = [
  {
    key: 'mario-umido',
    steps: [
      {
        kind: 'mail',
        at: at(6, '08:12'),
        mailbox: 'tari',
        from: MARIO,
        subject: "Mancata raccolta dell'umido in Via Roma 12",
        text: "Buongiorno,\n\nda martedì scorso il bidone dell'umido davanti al civico 12 di Via Roma non viene svuotato e con il caldo l'odore è insopportabile. Allego una foto scattata stamattina.\n\nCordiali saluti\nMario Rossi",
        files: [photo('bidone-via-roma-12.png', [96, 140, 60])]
      },
      {
        kind: 'note',
        at: at(6, '09:05'),
        html: '<p>Sentito il capoturno: il mezzo non è passato in Via Roma per il cantiere della rete gas. Chiedo conferma alla ditta.</p>'
      },
      {
        kind: 'forward',
        at: at(6, '09:10'),
        to: CONTRACTOR,
        note: "<p>Buongiorno, potete confermare il recupero della raccolta dell'umido in Via Roma 12 entro domani? Grazie.</p>"
      },
      {
        kind: 'reply',
        at: at(5, '11:30'),
        reasoned: true,
        html: "<p>Gentile sig. Rossi,</p><p>la raccolta dell'umido in Via Roma non è stata effettuata martedì per il cantiere della rete gas che impediva il passaggio del mezzo: il reclamo è quindi fondato. Il recupero è programmato per domani mattina e dalla prossima settimana il giro riprende il calendario ordinario.</p><p>Per ulteriori chiarimenti può rivolgersi all'Ufficio Clienti, tel. 051 000 0000.</p>"
      },
      {
        kind: 'mail',
        at: at(4, '18:40'),
        mailbox: 'tari',
        from: MARIO,
        threaded: true,
        subject: "Re: Mancata raccolta dell'umido in Via Roma 12",
        text: 'Stamattina il bidone è stato svuotato. Grazie per la risposta rapida.\n\nMario Rossi'
      },
      { kind: 'state', at: at(3, '08:30'), state: 'closed' }
    ]
  },
  {
    key: 'mario-pec-tari',
    steps: [
      {
        kind: 'mail',
        at: at(12, '10:02'),
        mailbox: 'pec',
        pec: true,
        from: `Mario Rossi <${MARIO_PEC}>`,
        subject: 'Reclamo formale – avviso di pagamento TARI',
        text: "Spett.le Garbage Servizi Ambientali,\n\ncon la presente contesto l'avviso di pagamento TARI n. 2024/118734: la superficie indicata (142 mq) non corrisponde a quella dell'immobile (98 mq, come da planimetria catastale allegata). Chiedo la rettifica dell'importo e il rimborso di quanto versato in eccesso.\n\nIBAN per il rimborso: IT60X0542811101000000123456\n\nMario Rossi",
        files: [
          pdf('planimetria-catastale.pdf', 'Planimetria catastale – Via Roma 12', ['Foglio 18, particella 221, subalterno 4', 'Superficie calpestabile: 98 mq'])
        ]
      },
      { kind: 'classify', at: at(12, '11:00'), type: 'rettifica_importi', service: 'tariffe_rapporto_utenti' },
      {
        kind: 'reply',
        at: at(8, '12:15'),
        reasoned: true,
        html: "<p>Gentile sig. Rossi,</p><p>abbiamo verificato la planimetria catastale: la superficie tassabile è di 98 mq e la richiesta di rettifica è fondata. L'avviso è stato annullato e sostituito; la differenza di 87,40 euro sarà rimborsata sull'IBAN indicato entro 60 giorni.</p><p>Allegati: avviso rettificato.</p>",
        files: [
          pdf('avviso-rettificato.pdf', 'Avviso di pagamento TARI rettificato', ['Superficie: 98 mq', 'Importo dovuto: 212,60 euro', 'Rimborso: 87,40 euro'])
        ]
      },
      { kind: 'pecReceipts', at: at(8, '12:16') },
      { kind: 'state', at: at(8, '12:30'), state: 'closed' }
    ]
  },
  {
    key: 'bianchi-carta',
    steps: [
      {
        kind: 'mail',
        at: at(3, '21:17'),
        mailbox: 'tari',
        from: BIANCHI,
        subject: 'Secondo contenitore per la carta',
        text: 'Salve, siamo in cinque in casa e il contenitore della carta non basta mai. È possibile averne un secondo? Abitiamo in Via Garibaldi 40.\n\nGrazie, famiglia Bianchi'
      },
      {
        kind: 'note',
        at: at(2, '08:45'),
        html: "<p>L'indirizzo è condiviso da Giuseppe e Anna Bianchi: chiedere chi è l'intestatario dell'utenza prima di rispondere.</p>"
      }
    ]
  },
  {
    key: 'sconosciuto-parco',
    steps: [
      {
        kind: 'mail',
        at: at(1, '07:58'),
        mailbox: 'tari',
        from: UNKNOWN,
        subject: 'Rifiuti abbandonati davanti al parco di Via dei Mille',
        text: "Buongiorno, da tre giorni c'è un cumulo di sacchi e un materasso davanti all'ingresso del parco di Via dei Mille. Vi mando due foto.\n\nLuca Esposito",
        files: [photo('parco-1.png', [120, 110, 90]), photo('parco-2.png', [110, 100, 80])]
      }
    ]
  },
  {
    key: 'web-calendario',
    steps: [
      {
        kind: 'web',
        at: at(9, '16:20'),
        fields: {
          type: 'richiesta_informazioni',
          service: 'raccolta_trasporto',
          subject: 'Calendario della raccolta porta a porta',
          description: 'Mi sono appena trasferita in Via Mazzini: vorrei sapere in quali giorni passa la raccolta del vetro e della plastica.',
          firstName: 'Giulia',
          lastName: 'Marino',
          email: 'giulia.marino@example.test'
        }
      },
      {
        kind: 'reply',
        at: at(8, '09:40'),
        reasoned: true,
        html: "<p>Gentile sig.ra Marino,</p><p>in Via Mazzini il vetro si raccoglie il martedì e la plastica il venerdì, dalle 6 alle 12. Le alleghiamo il calendario completo dell'anno.</p>",
        files: [
          pdf('calendario-raccolta.pdf', 'Calendario della raccolta – zona Centro', [
            'Lunedì: organico',
            'Martedì: vetro',
            'Giovedì: carta',
            'Venerdì: plastica e lattine'
          ])
        ]
      },
      { kind: 'state', at: at(8, '09:45'), state: 'closed' }
    ]
  },
  {
    key: 'web-reclamo-operatore',
    steps: [
      {
        kind: 'web',
        at: at(4, '13:05'),
        fields: {
          type: 'reclamo_scritto',
          service: 'raccolta_trasporto',
          subject: 'Contenitori lasciati in mezzo al marciapiede',
          description:
            'Dopo lo svuotamento gli operatori lasciano sempre i bidoni in mezzo al marciapiede di Via Cavour 7: mia madre in carrozzina non riesce a passare. Allego la foto di stamattina.',
          firstName: 'Francesca',
          lastName: 'Greco',
          email: 'francesca.greco@example.test',
          fiscalCode: buildFiscalCode('Greco', 'Francesca', { year: 1980, month: 1, day: 1 }, true, 'A944')
        },
        files: [photo('marciapiede-via-cavour.png', [150, 150, 160])]
      },
      { kind: 'state', at: at(3, '10:00'), state: 'in_progress' },
      { kind: 'note', at: at(3, '10:02'), html: '<p>Segnalato al responsabile del turno del mattino: richiamo agli operatori del giro 4.</p>' }
    ]
  },
  {
    key: 'app-cassonetto',
    steps: [
      {
        kind: 'app',
        at: at(2, '19:31'),
        fields: {
          service_code: 'segnalazione_disservizio',
          description: 'Cassonetto del vetro con il coperchio rotto, i cocci finiscono sulla strada.',
          lat: '44.494887',
          long: '11.342616',
          address_string: 'Via Ugo Bassi 15, Bologna',
          first_name: 'Matteo',
          last_name: 'Conti',
          email: 'matteo.conti@example.test',
          'attribute[servizio]': 'raccolta_trasporto'
        }
      },
      { kind: 'state', at: at(1, '08:15'), state: 'in_progress' },
      { kind: 'note', at: at(1, '08:16'), html: '<p>Ordine di sostituzione del cassonetto inviato alla squadra manutenzione.</p>' }
    ]
  },
  {
    key: 'app-abbandono-oggi',
    steps: [
      {
        kind: 'app',
        at: at(0, '07:05'),
        fields: {
          service_code: 'segnalazione_disservizio',
          description: 'Sacchi di rifiuti abbandonati accanto alla campana del vetro.',
          lat: '44.498210',
          long: '11.355410',
          address_string: 'Piazza della Libertà 3, Bologna',
          first_name: 'Sara',
          last_name: 'Ferrari',
          email: 'sara.ferrari@example.test',
          'attribute[servizio]': 'spazzamento_lavaggio'
        }
      }
    ]
  },
  {
    key: 'email-doppio-addebito',
    steps: [
      {
        kind: 'mail',
        at: at(7, '11:48'),
        mailbox: 'tari',
        from: 'Paolo Ricci <paolo.ricci@example.test>',
        subject: 'Doppio addebito della seconda rata TARI',
        text: 'Buongiorno, sul conto mi risulta addebitata due volte la seconda rata TARI (143,00 euro il 3 e il 4 del mese). Chiedo lo storno di uno dei due addebiti.\n\nPaolo Ricci',
        files: [pdf('estratto-conto.pdf', 'Estratto conto – movimenti', ['03: addebito SDD Garbage TARI 143,00', '04: addebito SDD Garbage TARI 143,00'])]
      },
      { kind: 'classify', at: at(7, '12:30'), type: 'rettifica_importi', service: 'tariffe_rapporto_utenti' },
      {
        kind: 'reply',
        at: at(6, '10:10'),
        reasoned: false,
        html: "<p>Gentile sig. Ricci,</p><p>per verificare l'addebito ci serve il codice utente riportato in alto a destra sull'avviso di pagamento. Può rispondere a questa email?</p>"
      },
      {
        kind: 'mail',
        at: at(5, '20:02'),
        mailbox: 'tari',
        from: 'Paolo Ricci <paolo.ricci@example.test>',
        threaded: true,
        subject: 'Re: Doppio addebito della seconda rata TARI',
        text: "Il codice utente è U100042. Allego anche la foto dell'avviso.\n\nPaolo Ricci",
        files: [photo('avviso-tari.png', [230, 230, 220])]
      }
    ]
  },
  {
    key: 'email-ingombranti',
    steps: [
      {
        kind: 'mail',
        at: at(10, '09:00'),
        mailbox: 'tari',
        from: 'Chiara Lombardi <chiara.lombardi@example.test>',
        subject: 'Ritiro ingombranti: divano e materasso',
        text: 'Buongiorno, vorrei prenotare il ritiro a domicilio di un divano a tre posti e di un materasso matrimoniale. Via Piave 22, piano terra.\n\nChiara Lombardi'
      },
      { kind: 'classify', at: at(10, '09:30'), type: 'ritiro_su_chiamata', service: 'raccolta_trasporto' },
      {
        kind: 'reply',
        at: at(9, '10:00'),
        html: '<p>Gentile sig.ra Lombardi,</p><p>il ritiro è fissato per giovedì prossimo tra le 7 e le 13: lasci il divano e il materasso sul marciapiede davanti al civico 22 la sera prima.</p>'
      },
      { kind: 'state', at: at(9, '10:05'), state: 'closed' }
    ]
  },
  {
    key: 'email-in-scadenza',
    steps: [
      {
        kind: 'mail',
        at: at(27, '15:30'),
        mailbox: 'tari',
        from: 'Roberto Gallo <roberto.gallo@example.test>',
        subject: 'Reclamo: operatore scortese durante il ritiro',
        text: "Buongiorno, giovedì l'operatore del ritiro del verde si è rifiutato di caricare i sacchi dicendo che erano troppi e si è rivolto a mia moglie in modo offensivo. Chiedo che la cosa venga verificata.\n\nRoberto Gallo"
      },
      { kind: 'classify', at: at(27, '16:00'), type: 'reclamo_scritto', service: 'raccolta_trasporto' },
      { kind: 'state', at: at(25, '09:00'), state: 'in_progress' },
      { kind: 'note', at: at(25, '09:01'), html: '<p>Chiesta la relazione del capoturno; in attesa della risposta prima di rispondere al cittadino.</p>' }
    ]
  },
  {
    key: 'email-attivazione',
    steps: [
      {
        kind: 'mail',
        at: at(14, '10:20'),
        mailbox: 'tari',
        from: 'Elena Colombo <elena.colombo@example.test>',
        subject: 'Attivazione nuova utenza TARI',
        text: 'Buongiorno, dal primo del mese sono in affitto in Via Trieste 9, interno 5. Come attivo la TARI a mio nome? Allego il contratto di locazione.\n\nElena Colombo',
        files: [pdf('contratto-locazione.pdf', 'Contratto di locazione (estratto)', ['Immobile: Via Trieste 9, int. 5', 'Decorrenza: 1° del mese'])]
      },
      { kind: 'classify', at: at(14, '11:00'), type: 'attivazione_variazione_cessazione', service: 'tariffe_rapporto_utenti' },
      {
        kind: 'reply',
        at: at(11, '15:00'),
        html: "<p>Gentile sig.ra Colombo,</p><p>l'utenza è stata attivata a suo nome con decorrenza dal primo del mese. Il primo avviso di pagamento le arriverà con la prossima emissione.</p>"
      },
      { kind: 'state', at: at(11, '15:05'), state: 'closed' }
    ]
  }
]

/** A request of the year: received on a day, answered `replyAfter` working days later (null: never answered). */
export interface YearRequest {
  month: number
  day: number
  type: 'reclamo_scritto' | 'richiesta_informazioni' | 'rettifica_importi' | 'attivazione_variazione_cessazione'
  replyAfter: number | null
  /** The cause of a late reply, as the operator recorded it. */
  cause?: 'forza_maggiore' | 'utente_o_terzi' | 'gestore'
}

/**
 * Last year's requests (January to October, so every reply lands within the year). The test holds the figures
 * they imply: reclami 13 (9 on time, 4 late: operator, force majeure, user, one never answered), informazioni 8
 * (7 + 1), rettifiche 6 (4 + 2), attivazioni 6 (5 + 1).
 */
export const LAST_YEAR: YearRequest[] = [
  { month: 1, day: 9, type: 'reclamo_scritto', replyAfter: 12 },
  { month: 1, day: 16, type: 'richiesta_informazioni', replyAfter: 5 },
  { month: 1, day: 23, type: 'rettifica_importi', replyAfter: 40 },
  { month: 2, day: 4, type: 'reclamo_scritto', replyAfter: 25 },
  { month: 2, day: 12, type: 'attivazione_variazione_cessazione', replyAfter: 7 },
  { month: 2, day: 19, type: 'rettifica_importi', replyAfter: 70, cause: 'utente_o_terzi' },
  { month: 2, day: 26, type: 'richiesta_informazioni', replyAfter: 14 },
  { month: 3, day: 5, type: 'reclamo_scritto', replyAfter: 18 },
  { month: 3, day: 13, type: 'reclamo_scritto', replyAfter: 34, cause: 'gestore' },
  { month: 3, day: 20, type: 'rettifica_importi', replyAfter: 55 },
  { month: 4, day: 2, type: 'attivazione_variazione_cessazione', replyAfter: 12 },
  { month: 4, day: 9, type: 'richiesta_informazioni', replyAfter: 8 },
  { month: 4, day: 16, type: 'reclamo_scritto', replyAfter: 30 },
  { month: 5, day: 7, type: 'rettifica_importi', replyAfter: 62, cause: 'gestore' },
  { month: 5, day: 14, type: 'reclamo_scritto', replyAfter: 9 },
  { month: 5, day: 21, type: 'richiesta_informazioni', replyAfter: 31, cause: 'gestore' },
  { month: 5, day: 28, type: 'attivazione_variazione_cessazione', replyAfter: 4 },
  { month: 6, day: 4, type: 'reclamo_scritto', replyAfter: 22 },
  { month: 6, day: 11, type: 'rettifica_importi', replyAfter: 35 },
  { month: 6, day: 18, type: 'reclamo_scritto', replyAfter: 41, cause: 'forza_maggiore' },
  { month: 7, day: 2, type: 'richiesta_informazioni', replyAfter: 20 },
  { month: 7, day: 9, type: 'attivazione_variazione_cessazione', replyAfter: 19 },
  { month: 7, day: 16, type: 'reclamo_scritto', replyAfter: 15 },
  { month: 7, day: 23, type: 'rettifica_importi', replyAfter: 48 },
  { month: 8, day: 27, type: 'reclamo_scritto', replyAfter: 28 },
  { month: 9, day: 3, type: 'richiesta_informazioni', replyAfter: 11 },
  { month: 9, day: 10, type: 'attivazione_variazione_cessazione', replyAfter: 10 },
  { month: 9, day: 17, type: 'reclamo_scritto', replyAfter: 6 },
  { month: 9, day: 24, type: 'richiesta_informazioni', replyAfter: 3 },
  { month: 10, day: 1, type: 'reclamo_scritto', replyAfter: 33, cause: 'utente_o_terzi' },
  { month: 10, day: 8, type: 'attivazione_variazione_cessazione', replyAfter: 35, cause: 'gestore' },
  { month: 10, day: 15, type: 'richiesta_informazioni', replyAfter: 26 },
  { month: 10, day: 22, type: 'reclamo_scritto', replyAfter: null }
]

/** This year's requests: on the 8th and the 22nd of every month so far, answered in these working days (in turn). */
export const THIS_YEAR_DAYS = [8, 22]
export const THIS_YEAR_TYPES: YearRequest['type'][] = [
  'reclamo_scritto',
  'richiesta_informazioni',
  'attivazione_variazione_cessazione',
  'reclamo_scritto',
  'rettifica_importi'
]
export const THIS_YEAR_REPLY_AFTER = [9, 17, 24, 6, 33, 12, 28, 15, 21, 38]

/** What a request of the year says, by type (in turn). */
export const YEAR_TEXTS: Record<YearRequest['type'], Array<{ subject: string; text: string; service: string }>> = {
  reclamo_scritto: [
    {
      subject: 'Mancata raccolta del secco residuo',
      text: 'Il secco residuo non viene ritirato da due settimane nella mia via.',
      service: 'raccolta_trasporto'
    },
    { subject: 'Cassonetto non svuotato', text: 'Il cassonetto sotto casa è pieno da giorni e i sacchi restano a terra.', service: 'raccolta_trasporto' },
    { subject: 'Spazzamento non effettuato', text: 'La spazzatrice non passa più nella mia strada da oltre un mese.', service: 'spazzamento_lavaggio' }
  ],
  richiesta_informazioni: [
    {
      subject: 'Orari del centro di raccolta',
      text: 'Vorrei conoscere gli orari di apertura del centro di raccolta nei giorni festivi.',
      service: 'raccolta_trasporto'
    },
    { subject: 'Come smaltire gli oli esausti', text: "Dove posso portare l'olio di frittura usato?", service: 'raccolta_trasporto' },
    {
      subject: 'Riduzione TARI per compostaggio',
      text: 'Faccio il compostaggio domestico: ho diritto a una riduzione della tariffa?',
      service: 'tariffe_rapporto_utenti'
    }
  ],
  rettifica_importi: [
    {
      subject: 'Importo TARI errato',
      text: "L'avviso di pagamento riporta una superficie maggiore di quella reale: chiedo la rettifica.",
      service: 'tariffe_rapporto_utenti'
    },
    {
      subject: 'Numero componenti del nucleo errato',
      text: 'Nel mio nucleo siamo in due, non in quattro come indicato in bolletta.',
      service: 'tariffe_rapporto_utenti'
    }
  ],
  attivazione_variazione_cessazione: [
    {
      subject: 'Cessazione utenza per trasloco',
      text: "Dal mese prossimo lascio l'appartamento: chiedo la cessazione dell'utenza TARI.",
      service: 'tariffe_rapporto_utenti'
    },
    { subject: 'Variazione intestatario', text: "L'utenza va intestata a me dopo la successione: come procedo?", service: 'tariffe_rapporto_utenti' }
  ]
}

/** The operator's reasoned reply to a request of the year (the reference and the outcome, as ARERA asks). */
export function yearReplyHtml(subject: string, late: boolean): string {
  return (
    `<p>Gentile contribuente,</p><p>in merito alla sua richiesta "${subject}" abbiamo svolto le verifiche necessarie e provveduto a quanto di competenza.` +
    `${late ? ' Ci scusiamo per il ritardo con cui le rispondiamo.' : ''}</p><p>Per chiarimenti: Ufficio Clienti, tel. 051 000 0000.</p>`
  )
}
