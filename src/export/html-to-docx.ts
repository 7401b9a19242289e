// Sanitized message HTML → docx paragraphs and tables. A small streaming converter rather than docx's own
// htmlToContent: that one reads arbitrary CSS and costs ~1.5 ms per message, too slow for 1,000-message
// conversations; ours reads only what our sanitizers let through (paragraphs, emphasis, links, lists, quotes,
// headings, simple tables, line breaks) and costs a few microseconds. Pure: no I/O.
import {
  AlignmentType,
  BorderStyle,
  ExternalHyperlink,
  HeadingLevel,
  LevelFormat,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
  type INumberingOptions,
  type ParagraphChild
} from 'docx'
import { Parser } from 'htmlparser2'

export type Block = Paragraph | Table

const BULLETS = 'trc-bullets'
const NUMBERED = 'trc-numbered'

const indentFor = (level: number) => ({ left: 567 * (level + 1), hanging: 283 })

/** The list definitions the converted paragraphs refer to; pass them in the Document's `numbering`. */
export const LIST_NUMBERING: INumberingOptions = {
  config: [
    {
      reference: BULLETS,
      levels: Array.from({ length: 6 }, (_, level) => ({
        level,
        format: LevelFormat.BULLET,
        text: ['•', '◦', '▪'][level % 3] as string,
        alignment: AlignmentType.LEFT,
        style: { paragraph: { indent: indentFor(level) } }
      }))
    },
    {
      reference: NUMBERED,
      levels: Array.from({ length: 6 }, (_, level) => ({
        level,
        format: [LevelFormat.DECIMAL, LevelFormat.LOWER_LETTER, LevelFormat.LOWER_ROMAN][level % 3],
        text: `%${level + 1}.`,
        alignment: AlignmentType.LEFT,
        style: { paragraph: { indent: indentFor(level) } }
      }))
    }
  ]
}

const BLOCK_TAGS = new Set([
  'p',
  'div',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'li',
  'ul',
  'ol',
  'blockquote',
  'pre',
  'table',
  'tr',
  'td',
  'th',
  'caption',
  'hr',
  'center',
  'section',
  'article',
  'header',
  'footer',
  'address',
  'dl',
  'dt',
  'dd',
  'figure'
])
const SKIP_TAGS = new Set(['script', 'style', 'head', 'title', 'template', 'svg', 'math', 'colgroup', 'col'])
const HEADINGS: Record<string, (typeof HeadingLevel)[keyof typeof HeadingLevel]> = {
  h1: HeadingLevel.HEADING_3,
  h2: HeadingLevel.HEADING_3,
  h3: HeadingLevel.HEADING_4,
  h4: HeadingLevel.HEADING_5,
  h5: HeadingLevel.HEADING_6,
  h6: HeadingLevel.HEADING_6
}

interface CellBuilder {
  blocks: Block[]
  columnSpan: number
  header: boolean
}
interface TableBuilder {
  rows: CellBuilder[][]
  parent: Block[]
}
interface ListState {
  ordered: boolean
  instance: number
}

export interface HtmlToDocxOptions {
  /** Text shown for an image, e.g. `[immagine: {alt}]`. */
  imageLabel?: (alt: string) => string
  /** Numbered lists get unique instances across the whole document: pass one counter to every call. */
  listCounter?: { next: number }
}

/** Converts sanitized HTML into blocks. Unknown tags keep their text; malformed nesting never throws. */
export function htmlToDocx(html: string, options: HtmlToDocxOptions = {}): Block[] {
  const out: Block[] = []
  let target = out
  const tables: TableBuilder[] = []
  const lists: ListState[] = []
  const counter = options.listCounter ?? { next: 1 }
  let runs: ParagraphChild[] = []
  let linkRuns: TextRun[] | null = null
  let linkHref = ''
  let bold = 0,
    italic = 0,
    underline = 0,
    strike = 0,
    code = 0,
    skip = 0,
    pre = 0,
    quote = 0
  let heading: string | null = null
  let listItem: { reference: string; level: number; instance?: number } | null = null
  let atStart = true

  const flush = () => {
    if (linkRuns) closeLink()
    if (runs.length > 0) {
      target.push(
        new Paragraph({
          children: runs,
          ...(heading ? { heading: HEADINGS[heading] } : {}),
          ...(listItem ? { numbering: listItem } : {}),
          ...(quote > 0 && !listItem
            ? { indent: { left: 425 * quote }, border: { left: { style: BorderStyle.SINGLE, size: 12, color: 'BBBBBB', space: 8 } } }
            : {}),
          // other paragraphs take the document's default spacing
          ...(listItem ? { spacing: { after: 40 } } : {})
        })
      )
    }
    runs = []
    listItem = null
    atStart = true
  }

  const push = (run: TextRun) => {
    if (linkRuns) linkRuns.push(run)
    else runs.push(run)
  }

  const text = (value: string) => {
    // only what is on: docx writes `<w:b w:val="false"/>` for an explicit false, which triples the XML
    const styled = {
      ...(bold > 0 || heading !== null ? { bold: true } : {}),
      ...(italic > 0 ? { italics: true } : {}),
      ...(strike > 0 ? { strike: true } : {}),
      ...(underline > 0 || linkRuns ? { underline: {} } : {}),
      ...(code > 0 ? { font: 'Courier New' } : {}),
      ...(linkRuns ? { color: '0563C1' } : {})
    }
    if (pre > 0) {
      value
        .replace(/\r\n?/g, '\n')
        .split('\n')
        .forEach((line, i) => {
          if (i > 0) push(new TextRun({ text: '', break: 1 }))
          if (line) push(new TextRun({ text: line, ...styled, font: 'Courier New' }))
        })
      atStart = false
      return
    }
    let collapsed = value.replace(/[\s\u00A0]+/g, ' ')
    if (atStart) collapsed = collapsed.replace(/^ /, '')
    if (collapsed === '') return
    push(new TextRun({ text: collapsed, ...styled }))
    atStart = collapsed.endsWith(' ')
  }

  function closeLink() {
    const children = linkRuns ?? []
    linkRuns = null
    if (children.length > 0) runs.push(new ExternalHyperlink({ link: linkHref, children }))
  }

  const closeCell = () => {
    const table = tables.at(-1)
    if (!table || target === out || target === table.parent) return
    flush()
    target = table.parent
  }

  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (skip > 0 || SKIP_TAGS.has(name)) {
          skip++
          return
        }
        if (BLOCK_TAGS.has(name)) flush()
        switch (name) {
          case 'b':
          case 'strong':
            bold++
            break
          case 'i':
          case 'em':
          case 'cite':
            italic++
            break
          case 'u':
          case 'ins':
            underline++
            break
          case 's':
          case 'strike':
          case 'del':
            strike++
            break
          case 'code':
          case 'tt':
            code++
            break
          case 'pre':
            pre++
            break
          case 'blockquote':
            quote++
            break
          case 'br':
            push(new TextRun({ text: '', break: 1 }))
            atStart = true
            break
          case 'hr':
            target.push(new Paragraph({ children: [], border: { bottom: { style: BorderStyle.SINGLE, size: 6, color: 'BBBBBB', space: 1 } } }))
            break
          case 'h1':
          case 'h2':
          case 'h3':
          case 'h4':
          case 'h5':
          case 'h6':
            heading = name
            break
          case 'ul':
            lists.push({ ordered: false, instance: 0 })
            break
          case 'ol':
            lists.push({ ordered: true, instance: counter.next++ })
            break
          case 'li': {
            const list = lists.at(-1) ?? { ordered: false, instance: 0 }
            listItem = list.ordered
              ? { reference: NUMBERED, level: Math.min(5, Math.max(0, lists.length - 1)), instance: list.instance }
              : { reference: BULLETS, level: Math.min(5, Math.max(0, lists.length - 1)) }
            break
          }
          case 'a': {
            const href = (attribs.href ?? '').trim()
            if (!linkRuns && /^(https?:\/\/|mailto:)/i.test(href)) {
              linkRuns = []
              linkHref = href
            }
            break
          }
          case 'img': {
            const alt = (attribs.alt ?? '').replace(/\s+/g, ' ').trim()
            push(new TextRun({ text: options.imageLabel ? options.imageLabel(alt) : `[${alt || 'image'}]`, italics: true, color: '666666' }))
            atStart = false
            break
          }
          case 'table':
            tables.push({ rows: [], parent: target })
            break
          case 'tr':
            tables.at(-1)?.rows.push([])
            break
          case 'td':
          case 'th': {
            const table = tables.at(-1)
            if (!table) break
            closeCell()
            if (table.rows.length === 0) table.rows.push([])
            const cell: CellBuilder = {
              blocks: [],
              columnSpan: Math.max(1, Math.min(50, Number.parseInt(attribs.colspan ?? '1', 10) || 1)),
              header: name === 'th'
            }
            table.rows.at(-1)?.push(cell)
            target = cell.blocks
            if (cell.header) bold++
            break
          }
        }
      },
      ontext(value) {
        if (skip === 0) text(value)
      },
      onclosetag(name, implied) {
        if (skip > 0) {
          skip--
          return
        }
        switch (name) {
          case 'b':
          case 'strong':
            bold = Math.max(0, bold - 1)
            break
          case 'i':
          case 'em':
          case 'cite':
            italic = Math.max(0, italic - 1)
            break
          case 'u':
          case 'ins':
            underline = Math.max(0, underline - 1)
            break
          case 's':
          case 'strike':
          case 'del':
            strike = Math.max(0, strike - 1)
            break
          case 'code':
          case 'tt':
            code = Math.max(0, code - 1)
            break
          case 'a':
            if (linkRuns) closeLink()
            break
          case 'td':
          case 'th':
            closeCell()
            if (name === 'th') bold = Math.max(0, bold - 1)
            break
          case 'table': {
            closeCell()
            const table = tables.pop()
            if (table) {
              target = table.parent
              const built = buildTable(table)
              if (built) target.push(built)
            }
            break
          }
        }
        if (BLOCK_TAGS.has(name) && name !== 'td' && name !== 'th' && name !== 'table') flush()
        switch (name) {
          case 'pre':
            pre = Math.max(0, pre - 1)
            break
          case 'blockquote':
            quote = Math.max(0, quote - 1)
            break
          case 'ul':
          case 'ol':
            lists.pop()
            break
          case 'h1':
          case 'h2':
          case 'h3':
          case 'h4':
          case 'h5':
          case 'h6':
            heading = null
            break
        }
        void implied
      }
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true }
  )
  parser.write(html)
  parser.end()
  // unclosed tables (truncated HTML): close them so their content is not lost
  while (tables.length > 0) {
    closeCell()
    const table = tables.pop() as TableBuilder
    target = table.parent
    const built = buildTable(table)
    if (built) target.push(built)
  }
  flush()
  return out
}

function buildTable(table: TableBuilder): Table | null {
  const rows = table.rows.filter((r) => r.length > 0)
  if (rows.length === 0) return null
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: rows.map(
      (cells) =>
        new TableRow({
          children: cells.map(
            (cell) =>
              new TableCell({
                columnSpan: cell.columnSpan > 1 ? cell.columnSpan : undefined,
                // Word needs at least one paragraph in every cell
                children: cell.blocks.length > 0 ? cell.blocks : [new Paragraph({ children: [] })],
                ...(cell.header ? { shading: { fill: 'F2F2F2' } } : {})
              })
          )
        })
    )
  })
}
