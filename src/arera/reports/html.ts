// Readable HTML pages for the ARERA figures: the yearly indicators (operators) and the public quality charter.
// Self-contained (inline CSS and SVG, no external assets) and accessible: the chart is an image with a text
// alternative, and the same figures are in a table right below it.
import type { IndicatorsReport } from '../service.js'
import type { StandardIndicator } from '../../domain/indicators.js'
import { escapeHtml } from '../../domain/escape.js'
import { formatItalianDecimal } from './format.js'
import { missCauseLabel } from './tables.js'

const pct = (v: number | null) => (v === null ? '—' : `${formatItalianDecimal(v)} %`)
const num = (v: number | null) => (v === null ? '—' : formatItalianDecimal(v))

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0 auto;max-width:72rem;padding:1.5rem;color:#1a1a1a;line-height:1.5}
h1{font-size:1.6rem;margin:0 0 .5rem}h2{font-size:1.25rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;margin:1rem 0}caption{text-align:left;font-weight:600;padding:.5rem 0}
th,td{border:1px solid #8a8a8a;padding:.4rem .5rem;text-align:left;vertical-align:top}td.n{text-align:right;white-space:nowrap}
thead th{background:#eef1f5}.ok{color:#0b6b2f;font-weight:600}.ko{color:#a4121b;font-weight:600}
figure{margin:1rem 0}figcaption{font-size:.95rem;color:#444}a{color:#0645ad}
.note{font-size:.95rem;color:#333}`

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="it">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`
}

function verdict(s: StandardIndicator): string {
  if (s.compliant === null) return 'Non valutabile'
  return s.compliant ? '<span class="ok">Raggiunto</span>' : '<span class="ko">Non raggiunto</span>'
}

/** Horizontal bars of the share of requests meeting each standard, with the minimum marked by a line. */
function complianceChart(standards: readonly StandardIndicator[], year: number): string {
  const labelWidth = 340
  const barWidth = 360
  const rowHeight = 34
  const top = 28
  const height = top + standards.length * rowHeight + 10
  const width = labelWidth + barWidth + 90
  const x = (percent: number) => labelWidth + (percent / 100) * barWidth
  const short = (text: string) => (text.length > 52 ? `${text.slice(0, 50)}…` : text)
  const rows = standards.map((s, i) => {
    const y = top + i * rowHeight
    const value = s.percentMet
    const color = s.compliant === false ? '#b3261e' : s.compliant === true ? '#1e7b3c' : '#6b6b6b'
    const minimum =
      s.minimumPercent === null
        ? ''
        : `<line x1="${x(s.minimumPercent)}" x2="${x(s.minimumPercent)}" y1="${y - 2}" y2="${y + 24}" stroke="#111" stroke-width="2" stroke-dasharray="4 2"/>`
    const description = `${s.label.it}: ${value === null ? 'nessuna richiesta conclusa' : `${formatItalianDecimal(value)} % rispettate`}${s.minimumPercent === null ? '' : `, minimo ${formatItalianDecimal(s.minimumPercent)} %`}`
    return `<g><title>${escapeHtml(description)}</title>
<text x="0" y="${y + 16}" font-size="13">${escapeHtml(short(s.label.it))}</text>
<rect x="${labelWidth}" y="${y}" width="${barWidth}" height="22" fill="#eceff3"/>
${value === null ? '' : `<rect x="${labelWidth}" y="${y}" width="${(value / 100) * barWidth}" height="22" fill="${color}"/>`}
${minimum}
<text x="${labelWidth + barWidth + 8}" y="${y + 16}" font-size="13">${escapeHtml(pct(value))}</text></g>`
  })
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="chart-title chart-desc" viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width}px">
<title id="chart-title">Percentuale di richieste che hanno rispettato lo standard, anno ${year}</title>
<desc id="chart-desc">${escapeHtml(standards.map((s) => `${s.label.it}: ${pct(s.percentMet)}${s.minimumPercent === null ? '' : ` (minimo ${pct(s.minimumPercent)})`}`).join('; '))}</desc>
<text x="${labelWidth}" y="16" font-size="12">0 %</text><text x="${labelWidth + barWidth - 34}" y="16" font-size="12">100 %</text>
${rows.join('\n')}
</svg>`
}

function indicatorsTableHtml(report: IndicatorsReport): string {
  const causes = (s: StandardIndicator) =>
    (['forza_maggiore', 'utente_o_terzi', 'gestore'] as const).map((c) => `<td class="n">${s.missedByCause[c]}</td>`).join('') +
    `<td class="n">${s.missedByCause.non_registrata}</td>`
  const rows = report.standards.map(
    (s) => `<tr><th scope="row">${escapeHtml(s.label.it)}${s.article ? `<br><small>${escapeHtml(s.article)}</small>` : ''}</th>
<td class="n">${s.standardWorkingDays}</td><td class="n">${s.requests}</td><td class="n">${s.met}</td><td class="n">${s.missed}</td>${causes(s)}
<td class="n">${s.pending}</td><td class="n">${pct(s.percentMet)}</td><td class="n">${pct(s.minimumPercent)}</td><td class="n">${num(s.averageWorkingDays)}</td><td>${verdict(s)}</td></tr>`
  )
  return `<table>
<caption>Indicatori per standard, anno ${report.year} (richieste ricevute dal 01/01/${report.year} al 31/12/${report.year})</caption>
<thead><tr><th scope="col">Standard</th><th scope="col">Tempo massimo (giorni lavorativi)</th><th scope="col">Richieste</th><th scope="col">Rispettate</th><th scope="col">Non rispettate</th>
<th scope="col">${escapeHtml(missCauseLabel('forza_maggiore'))}</th><th scope="col">${escapeHtml(missCauseLabel('utente_o_terzi'))}</th><th scope="col">${escapeHtml(missCauseLabel('gestore'))}</th><th scope="col">Causa non registrata</th>
<th scope="col">In corso</th><th scope="col">Percentuale rispettate</th><th scope="col">Minimo previsto</th><th scope="col">Tempo medio effettivo (giorni lavorativi)</th><th scope="col">Rispetto del minimo</th></tr></thead>
<tbody>${rows.join('\n')}</tbody>
</table>`
}

export function indicatorsPage(report: IndicatorsReport, organizationName: string, links: { csv: string; xlsx: string }): string {
  const scheme = report.scheme ? `${report.scheme.label.it}` : 'Schema regolatorio non configurato'
  const t = report.totals
  return page(
    `Indicatori ARERA ${report.year} – ${organizationName}`,
    `<h1>Indicatori di qualità ARERA (TQRIF) – anno ${report.year}</h1>
<p>${escapeHtml(organizationName)} · ${escapeHtml(scheme)}</p>
<p class="note">Le richieste sono contate nell'anno in cui sono state ricevute (TQRIF art. 58.3, lettera a). Il tempo è misurato in giorni lavorativi dal giorno di ricevimento a quello di invio della risposta, al netto delle sospensioni in attesa dell'utente. Le richieste ancora nei termini sono indicate come «in corso». Dati aggiornati al ${escapeHtml(report.generatedAt.slice(0, 10).split('-').reverse().join('/'))}.</p>
<p>Richieste ricevute: <strong>${t.requests}</strong>; con standard: ${t.withStandard}; rispettate: ${t.met}; non rispettate: ${t.missed}; in corso: ${t.pending}.</p>
<figure>
${complianceChart(report.standards, report.year)}
<figcaption>Percentuale di richieste concluse nei tempi per ciascuno standard; la linea tratteggiata indica il minimo previsto. Gli stessi dati sono nella tabella seguente.</figcaption>
</figure>
${indicatorsTableHtml(report)}
<p>Scarica: <a href="${escapeHtml(links.csv)}">CSV</a> · <a href="${escapeHtml(links.xlsx)}">Excel (XLSX)</a></p>`
  )
}

export interface CartaInput {
  organizationName: string
  /** e.g. 'dal lunedì al venerdì' */
  workingWeek: string
  scheme: { label: string; minimumCompliancePercent: number | null } | null
  standards: Array<{ label: string; article: string | null; workingDays: number; minimumPercent: number | null }>
  results: { year: number; partial: boolean; standards: StandardIndicator[] } | null
}

/** The public "Carta della qualità" page: the standards, the scheme, and the actual results once there are some. */
export function cartaPage(input: CartaInput): string {
  const results = input.results
  const resultOf = (label: string) => results?.standards.find((s) => s.label.it === label) ?? null
  const head = results
    ? `<th scope="col">Risultato ${results.year}${results.partial ? ' (anno in corso)' : ''}: richieste nei tempi</th><th scope="col">Tempo medio effettivo ${results.year} (giorni lavorativi)</th>`
    : ''
  const rows = input.standards.map((s) => {
    const r = resultOf(s.label)
    const cells = results ? `<td class="n">${r ? pct(r.percentMet) : '—'}</td><td class="n">${r ? num(r.averageWorkingDays) : '—'}</td>` : ''
    return `<tr><th scope="row">${escapeHtml(s.label)}${s.article ? `<br><small>${escapeHtml(s.article)}</small>` : ''}</th><td class="n">${s.workingDays} giorni lavorativi</td><td class="n">${pct(s.minimumPercent)}</td>${cells}</tr>`
  })
  const scheme = input.scheme
    ? `<p>La gestione è inquadrata nello <strong>${escapeHtml(input.scheme.label)}</strong> della regolazione ARERA (TQRIF, delibera 15/2022/R/rif)${input.scheme.minimumCompliancePercent === null ? '.' : `: almeno il ${formatItalianDecimal(input.scheme.minimumCompliancePercent)} % delle richieste deve rispettare gli standard generali.`}</p>`
    : '<p>Gli standard seguono la regolazione ARERA della qualità del servizio rifiuti (TQRIF, delibera 15/2022/R/rif).</p>'
  return page(
    `Carta della qualità – ${input.organizationName}`,
    `<h1>Carta della qualità del servizio</h1>
<p>${escapeHtml(input.organizationName)}</p>
${scheme}
<p class="note">I tempi sono espressi in giorni lavorativi (${escapeHtml(input.workingWeek)}, esclusi i giorni festivi) e decorrono dal giorno in cui riceviamo la richiesta fino al giorno in cui inviamo la risposta.</p>
<table>
<caption>Standard di qualità${results ? ` e risultati effettivi dell'anno ${results.year}` : ''}</caption>
<thead><tr><th scope="col">Prestazione</th><th scope="col">Tempo massimo</th><th scope="col">Percentuale minima da rispettare</th>${head}</tr></thead>
<tbody>${rows.join('\n')}</tbody>
</table>
${results ? '' : '<p>I risultati effettivi saranno pubblicati al termine del primo anno di rilevazione.</p>'}`
  )
}
