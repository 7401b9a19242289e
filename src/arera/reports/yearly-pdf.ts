// The one-page PDF summary of the yearly communication (TQRIF art. 58) that the operator's legal representative
// signs: users at 31 December, per standard met / missed by cause / average time, or the Schema I checklist.
// Built with pdfkit and its standard Helvetica (WinAnsi covers Italian accents); metadata dates are fixed by the
// report's generation time so the same report gives the same bytes.
import PDFDocument from 'pdfkit'
import type { YearlyCommunication } from '../yearly.js'
import { romeDate } from '../../domain/working-days.js'
import { formatItalianDate, formatItalianDecimal } from './format.js'

const MARGIN = 40
const WIDTH = 595.28 - 2 * MARGIN

type Doc = InstanceType<typeof PDFDocument>

function row(doc: Doc, cells: ReadonlyArray<string>, widths: readonly number[], bold = false): void {
  const y = doc.y
  let x = MARGIN
  let height = 0
  doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(7.5)
  cells.forEach((text, i) => {
    const w = widths[i] ?? 40
    height = Math.max(height, doc.heightOfString(text, { width: w - 4 }))
    doc.text(text, x + 2, y, { width: w - 4, align: i === 0 ? 'left' : 'right' })
    x += w
  })
  doc
    .moveTo(MARGIN, y + height + 2)
    .lineTo(MARGIN + WIDTH, y + height + 2)
    .lineWidth(0.3)
    .strokeColor('#888888')
    .stroke()
  doc.x = MARGIN
  doc.y = y + height + 4
}

const n = (v: number | null) => (v === null ? '–' : formatItalianDecimal(v))

export function yearlyPdf(report: YearlyCommunication): Promise<Buffer> {
  const created = new Date(report.generatedAt)
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    info: { Title: `Comunicazione annuale ARERA ${report.year}`, Author: report.operator, CreationDate: created, ModDate: created }
  })
  const chunks: Buffer[] = []
  doc.on('data', (c: Buffer) => chunks.push(c))
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
  })

  doc.font('Helvetica-Bold').fontSize(13).text(`Comunicazione annuale degli standard di qualità – anno ${report.year}`)
  doc
    .font('Helvetica')
    .fontSize(9)
    .text(`TQRIF (delibera ARERA 15/2022/R/rif), art. 58 – da trasmettere entro il ${formatItalianDate(report.deadline)}`)
    .text(`Gestore: ${report.operator}   Territorio: ${report.territory.name}   Schema regolatorio: ${report.scheme?.label.it ?? 'non indicato'}`)
  doc.moveDown(0.6)

  doc
    .font('Helvetica-Bold')
    .fontSize(10)
    .text(`Utenze servite al ${formatItalianDate(`${String(report.year).padStart(4, '0')}-12-31`)}`)
  const u = report.users
  row(doc, ['Domestiche', 'Non domestiche', 'Non classificate', 'Totale'], [WIDTH / 4, WIDTH / 4, WIDTH / 4, WIDTH / 4], true)
  row(
    doc,
    u
      ? [String(u.domestiche), String(u.non_domestiche), String(u.non_classificate), String(u.total)]
      : ['non disponibile: manca la colonna del comune', '', '', ''],
    [WIDTH / 4, WIDTH / 4, WIDTH / 4, WIDTH / 4]
  )
  doc.moveDown(0.6)

  if (report.checklist) {
    doc.font('Helvetica-Bold').fontSize(10).text('Schema I: obblighi di servizio (nessuno standard generale)')
    for (const o of report.checklist) {
      row(doc, [`[  ] ${o.label.it}`, `${o.article}${o.toConfirm ? ' (da confermare)' : ''}`], [WIDTH * 0.75, WIDTH * 0.25])
    }
  } else {
    doc.font('Helvetica-Bold').fontSize(10).text('Standard generali: richieste per esito e tempo medio effettivo')
    const widths = [WIDTH * 0.36, WIDTH * 0.07, WIDTH * 0.07, WIDTH * 0.07, WIDTH * 0.07, WIDTH * 0.07, WIDTH * 0.07, WIDTH * 0.07, WIDTH * 0.07, WIDTH * 0.08]
    row(
      doc,
      ['Standard (riferimento)', 'Giorni', 'Ricevute', 'Rispettate', 'Non risp.', 'Forza magg.', 'Utente/terzi', 'Gestore', 'In corso', 'Tempo medio'],
      widths,
      true
    )
    for (const s of report.standards) {
      const days =
        s.standardWorkingDaysWithInspection === null ? String(s.standardWorkingDays) : `${s.standardWorkingDays}/${s.standardWorkingDaysWithInspection}`
      row(
        doc,
        [
          `${s.label.it} (${s.article ?? '–'}${s.toConfirm ? ', da confermare' : ''})`,
          days,
          String(s.requests),
          String(s.met),
          String(s.missed),
          String(s.missedByCause.forza_maggiore),
          String(s.missedByCause.utente_o_terzi),
          String(s.missedByCause.gestore + s.missedByCause.non_registrata),
          String(s.pending),
          n(s.averageWorkingDays)
        ],
        widths
      )
    }
    doc
      .font('Helvetica')
      .fontSize(7)
      .text('Giorni lavorativi dalla ricezione; "x/y": senza / con sopralluogo. Le mancate risposte senza causa registrata sono attribuite al gestore.')
  }

  doc.moveDown(1.5)
  doc
    .font('Helvetica')
    .fontSize(9)
    .text(`Generato il ${formatItalianDate(romeDate(created))} dal modulo Ticket Reclami – Comunicazioni.`)
  doc.moveDown(1.5)
  doc.text('Luogo e data ______________________________          Il legale rappresentante ______________________________')
  doc.end()
  return done
}
