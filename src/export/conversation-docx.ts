// The conversation of a work order as a Word document: letterhead, the work order's particulars, then every
// message in order with its envelope, body and attachment list. Pure: data in, Buffer out.
import {
  AlignmentType,
  BorderStyle,
  Document,
  Footer,
  Header,
  HeadingLevel,
  Packer,
  PageNumber,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType
} from 'docx'
import { isRequestType, requestTypeLabel } from '../domain/arera.js'
import type { Locale } from '../i18n.js'
import type { Channel, DeliveryStatus, Direction, WorkOrderState } from '../types.js'
import { htmlToDocx, LIST_NUMBERING, type Block } from './html-to-docx.js'
import { textToHtml } from '../mail/sanitize.js'
import { formatDateTime } from '../domain/dates.js'
import { WORK_ORDER_STATE_LABELS } from '../domain/state-labels.js'

export interface DocumentMessage {
  direction: Direction
  channel: Channel
  /** ISO instant: when it was received or written. */
  date: string
  from: string | null
  fromName: string | null
  to: string[]
  cc: string[]
  subject: string | null
  /** Sanitized HTML; `text` is used when there is none. */
  html: string | null
  text: string | null
  attachments: Array<{ filename: string; size: number }>
  deliveryStatus: DeliveryStatus | null
  deliveryError: string | null
  operatorName: string | null
  /** 'bounce', 'pec-receipt', … for machine-written mail. */
  automaticKind: string | null
  /** 'state' for a state change on the timeline. */
  kind: string | null
}

export interface ConversationDocumentData {
  locale?: Locale
  organizationName: string
  generatedAt: Date
  workOrder: {
    id: number
    reference: string | null
    subject: string | null
    status: WorkOrderState | null
    hostStatus: string | null
    type: string | null
    channel: string | null
    receivedAt: string | null
    dueDate: string | null
    replySentAt: string | null
    contributor: { displayName: string; fiscalCode: string | null; emails: string[] } | null
  }
  messages: DocumentMessage[]
}

const LABELS = {
  it: {
    title: 'Conversazione',
    workOrder: 'Ordine di lavoro',
    reference: 'Riferimento',
    subject: 'Oggetto',
    contributor: 'Contribuente',
    fiscalCode: 'C.F.',
    type: 'Tipo di richiesta',
    status: 'Stato',
    channel: 'Canale',
    receivedAt: 'Ricevuta il',
    dueDate: 'Scadenza (ARERA)',
    replySentAt: 'Risposta inviata il',
    generatedAt: 'Documento generato il',
    messages: 'Messaggi',
    none: 'Nessun messaggio.',
    inbound: 'Ricevuto',
    outbound: 'Inviato',
    note: 'Nota interna',
    stateChange: 'Cambio di stato',
    automatic: 'Messaggio automatico',
    from: 'Da',
    to: 'A',
    cc: 'Cc',
    operator: 'Operatore',
    delivery: 'Consegna',
    attachments: 'Allegati',
    page: 'Pagina',
    of: 'di',
    image: (alt: string) => (alt ? `[immagine: ${alt}]` : '[immagine]'),
    notSet: '—',
    states: WORK_ORDER_STATE_LABELS.it,
    delivered: {
      queued: 'in coda di invio',
      sending: 'in invio',
      sent: 'inviato',
      retrying: 'in attesa di nuovo tentativo',
      failed: 'non recapitato',
      accepted: 'accettato dal gestore PEC',
      delivered: 'consegnato (ricevuta PEC di avvenuta consegna)'
    },
    channels: { email: 'Email', web: 'Sportello On-line', app: 'App SottoControllo', note: 'Nota interna' }
  },
  en: {
    title: 'Conversation',
    workOrder: 'Work order',
    reference: 'Reference',
    subject: 'Subject',
    contributor: 'Contributor',
    fiscalCode: 'Tax code',
    type: 'Request type',
    status: 'Status',
    channel: 'Channel',
    receivedAt: 'Received on',
    dueDate: 'Due date (ARERA)',
    replySentAt: 'Reply sent on',
    generatedAt: 'Document generated on',
    messages: 'Messages',
    none: 'No messages.',
    inbound: 'Received',
    outbound: 'Sent',
    note: 'Internal note',
    stateChange: 'State change',
    automatic: 'Automatic message',
    from: 'From',
    to: 'To',
    cc: 'Cc',
    operator: 'Operator',
    delivery: 'Delivery',
    attachments: 'Attachments',
    page: 'Page',
    of: 'of',
    image: (alt: string) => (alt ? `[image: ${alt}]` : '[image]'),
    notSet: '—',
    states: WORK_ORDER_STATE_LABELS.en,
    delivered: {
      queued: 'queued',
      sending: 'sending',
      sent: 'sent',
      retrying: 'waiting to retry',
      failed: 'not delivered',
      accepted: 'accepted by the PEC provider',
      delivered: 'delivered (PEC delivery receipt)'
    },
    channels: { email: 'Email', web: 'Online counter', app: 'SottoControllo app', note: 'Internal note' }
  }
} as const

/** The file name of a conversation document: the reference when there is one. */
export function conversationFilename(workOrderId: number, reference: string | null, locale: Locale = 'it'): string {
  const base = locale === 'it' ? 'conversazione' : 'conversation'
  const ref = (reference ?? `OdL-${workOrderId}`).replace(/[^A-Za-z0-9._-]+/g, '-')
  return `${base}-${ref}.docx`
}

export const DOCX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

export async function buildConversationDocx(data: ConversationDocumentData): Promise<Buffer> {
  const locale = data.locale ?? 'it'
  const L = LABELS[locale]
  const tag = locale === 'it' ? 'it-IT' : 'en-GB'
  const dateOnly = new Intl.DateTimeFormat(tag, { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' })
  const when = (iso: string | null) => (iso ? formatDateTime(new Date(iso), locale) : L.notSet)
  const day = (iso: string | null) => (iso ? dateOnly.format(new Date(`${iso.slice(0, 10)}T12:00:00Z`)) : L.notSet)
  const wo = data.workOrder
  const listCounter = { next: 1 }

  const summary: Array<[string, string]> = [
    [L.reference, wo.reference ?? L.notSet],
    [L.workOrder, `n. ${wo.id}`],
    [L.subject, wo.subject ?? L.notSet],
    [
      L.contributor,
      wo.contributor
        ? [
            wo.contributor.displayName,
            wo.contributor.fiscalCode ? `${L.fiscalCode} ${wo.contributor.fiscalCode}` : null,
            wo.contributor.emails.join(', ') || null
          ]
            .filter(Boolean)
            .join(' · ')
        : L.notSet
    ],
    [L.type, wo.type && isRequestType(wo.type) ? requestTypeLabel(wo.type, locale) : (wo.type ?? L.notSet)],
    [L.status, wo.status ? L.states[wo.status] : (wo.hostStatus ?? L.notSet)],
    [L.channel, wo.channel && wo.channel in L.channels ? L.channels[wo.channel as Channel] : (wo.channel ?? L.notSet)],
    [L.receivedAt, when(wo.receivedAt)],
    [L.dueDate, day(wo.dueDate)],
    [L.replySentAt, when(wo.replySentAt)],
    [L.generatedAt, when(data.generatedAt.toISOString())]
  ]

  const children: Block[] = [
    new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun(`${L.title} — ${wo.reference ?? `${L.workOrder} n. ${wo.id}`}`)] }),
    keyValueTable(summary),
    new Paragraph({ heading: HeadingLevel.HEADING_1, spacing: { before: 360 }, children: [new TextRun(`${L.messages} (${data.messages.length})`)] })
  ]
  if (data.messages.length === 0) children.push(new Paragraph({ children: [new TextRun({ text: L.none, italics: true })] }))

  data.messages.forEach((m, index) => {
    const what =
      m.kind === 'state' ? L.stateChange : m.channel === 'note' ? L.note : m.automaticKind ? L.automatic : m.direction === 'inbound' ? L.inbound : L.outbound
    children.push(new Paragraph({ style: index === 0 ? 'TrcFirstMessage' : 'TrcMessage', children: [new TextRun(`${index + 1}. ${what} — ${when(m.date)}`)] }))
    const envelope: Array<[string, string]> = []
    if (m.channel !== 'note') {
      const from = m.fromName && m.from ? `${m.fromName} <${m.from}>` : (m.from ?? m.fromName)
      if (from) envelope.push([L.from, from])
      if (m.to.length) envelope.push([L.to, m.to.join(', ')])
      if (m.cc.length) envelope.push([L.cc, m.cc.join(', ')])
      if (m.channel !== 'email') envelope.push([L.channel, L.channels[m.channel]])
    }
    if (m.subject && m.channel !== 'note') envelope.push([L.subject, m.subject])
    if (m.operatorName) envelope.push([L.operator, m.operatorName])
    if (m.direction === 'outbound' && m.deliveryStatus)
      envelope.push([L.delivery, `${L.delivered[m.deliveryStatus]}${m.deliveryError ? ` (${m.deliveryError})` : ''}`])
    // One paragraph per envelope and per attachment list, lines separated by breaks: paragraphs are what the
    // docx packer pays for, and a 1,000-message conversation must stay fast.
    if (envelope.length > 0) {
      children.push(
        new Paragraph({
          style: 'TrcEnvelope',
          children: envelope.flatMap(([label, value], i) => [
            new TextRun({ text: `${label}: `, bold: true, ...(i > 0 ? { break: 1 } : {}) }),
            new TextRun(value)
          ])
        })
      )
    }
    const html = m.html ?? (m.text ? textToHtml(m.text) : '')
    children.push(...htmlToDocx(html, { imageLabel: L.image, listCounter }))
    if (m.attachments.length > 0) {
      children.push(
        new Paragraph({
          spacing: { before: 120 },
          children: [
            new TextRun({ text: `${L.attachments} (${m.attachments.length}):`, bold: true }),
            ...m.attachments.map((a) => new TextRun({ text: `• ${a.filename} (${formatSize(a.size)})`, break: 1 }))
          ]
        })
      )
    }
  })

  const doc = new Document({
    creator: data.organizationName,
    title: `${L.title} ${wo.reference ?? wo.id}`,
    numbering: LIST_NUMBERING,
    // formatting repeated on every message lives in styles: the document stays small and fast to write
    styles: {
      default: { document: { run: { font: 'Calibri', size: 21 }, paragraph: { spacing: { after: 120 } } } },
      paragraphStyles: [
        {
          id: 'Title',
          name: 'Title',
          basedOn: 'Normal',
          next: 'Normal',
          quickFormat: true,
          run: { size: 40, color: '1F4E79' },
          paragraph: { spacing: { after: 240 } }
        },
        {
          id: 'TrcFirstMessage',
          name: 'Messaggio',
          basedOn: 'Heading2',
          next: 'TrcEnvelope',
          quickFormat: true,
          paragraph: { keepNext: true, spacing: { before: 240 } }
        },
        {
          id: 'TrcMessage',
          name: 'Messaggio successivo',
          basedOn: 'TrcFirstMessage',
          next: 'TrcEnvelope',
          paragraph: { border: { top: { style: BorderStyle.SINGLE, size: 6, color: 'CCCCCC', space: 8 } } }
        },
        { id: 'TrcEnvelope', name: 'Intestazione messaggio', basedOn: 'Normal', paragraph: { keepNext: true }, run: { color: '555555' } }
      ]
    },
    sections: [
      {
        headers: {
          default: new Header({
            children: [
              new Paragraph({
                border: { bottom: { style: BorderStyle.SINGLE, size: 6, color: '1F4E79', space: 4 } },
                children: [
                  new TextRun({ text: data.organizationName, bold: true, color: '1F4E79', size: 24 }),
                  new TextRun({ text: `\t${wo.reference ?? `${L.workOrder} n. ${wo.id}`}`, color: '555555' })
                ],
                tabStops: [{ type: 'right', position: 9000 }]
              })
            ]
          })
        },
        footers: {
          default: new Footer({
            children: [
              new Paragraph({
                alignment: AlignmentType.CENTER,
                children: [new TextRun({ children: [`${L.page} `, PageNumber.CURRENT, ` ${L.of} `, PageNumber.TOTAL_PAGES], size: 18, color: '777777' })]
              })
            ]
          })
        },
        children
      }
    ]
  })
  return Packer.toBuffer(doc)
}

function keyValueTable(rows: Array<[string, string]>): Table {
  const none = { style: BorderStyle.SINGLE, size: 4, color: 'DDDDDD' }
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    borders: { top: none, bottom: none, left: none, right: none, insideHorizontal: none, insideVertical: none },
    rows: rows.map(
      ([label, value]) =>
        new TableRow({
          children: [
            new TableCell({
              width: { size: 30, type: WidthType.PERCENTAGE },
              shading: { fill: 'F2F2F2' },
              children: [new Paragraph({ children: [new TextRun({ text: label, bold: true })] })]
            }),
            new TableCell({ width: { size: 70, type: WidthType.PERCENTAGE }, children: [new Paragraph({ children: [new TextRun(value)] })] })
          ]
        })
    )
  })
}
