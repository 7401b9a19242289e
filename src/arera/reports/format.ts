// Tables for the ARERA exports and their CSV form, as Italian spreadsheet users expect it.
//
// CSV choices, for Excel with Italian regional settings (the tool every operator opens the register with):
// - `;` separates fields, because Italian Excel uses the comma as the decimal separator;
// - the file starts with a UTF-8 byte-order mark, without which Excel reads "Attività" as "AttivitÃ ";
// - lines end with CRLF (RFC 4180), fields with `;`, `"` or line breaks are quoted, quotes doubled;
// - dates are dd/mm/yyyy and decimals use a comma (85,7), as Italian Excel parses them;
// - text that starts with = + - @ (or a tab/CR) gets a leading apostrophe, so a contributor's name can never be
//   run as a spreadsheet formula (CSV injection).
import type { IsoDate } from '../../domain/working-days.js'

export type CellKind = 'text' | 'integer' | 'decimal' | 'date'

export interface Column {
  header: string
  kind: CellKind
  /** Approximate width in characters (XLSX only). */
  width?: number
}

/** A cell: text, a number, an IsoDate for date columns, or null for an empty cell. */
export type Cell = string | number | null

export interface Table {
  /** Sheet name in the XLSX workbook (at most 31 characters). */
  name: string
  columns: Column[]
  rows: Cell[][]
}

/** 'YYYY-MM-DD' → 'dd/mm/yyyy'. */
export function formatItalianDate(date: IsoDate): string {
  const [y, m, d] = date.split('-')
  return `${d}/${m}/${y}`
}

export function formatItalianDecimal(value: number): string {
  return String(value).replace('.', ',')
}

function csvText(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[;"\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

function csvCell(cell: Cell, kind: CellKind): string {
  if (cell === null || cell === '') return ''
  if (kind === 'date' && typeof cell === 'string') return formatItalianDate(cell)
  if (typeof cell === 'number') return kind === 'decimal' ? formatItalianDecimal(cell) : String(cell)
  return csvText(cell)
}

const CSV_BOM = '\uFEFF'

export function toCsv(table: Table): string {
  const lines = [table.columns.map((c) => csvText(c.header)).join(';')]
  for (const row of table.rows) lines.push(table.columns.map((c, i) => csvCell(row[i] ?? null, c.kind)).join(';'))
  return CSV_BOM + lines.join('\r\n') + '\r\n'
}
