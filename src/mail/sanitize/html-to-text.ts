// HTML → plain text, for the text/plain alternative of outbound mail and for text-only views: paragraphs,
// lists, quotes and links kept readable.
import { Parser } from 'htmlparser2'
import { acceptHref } from './url-policy.js'

const SKIP_TEXT_TAGS = new Set(['script', 'style', 'title', 'xml', 'template', 'head', 'select', 'option', 'textarea', 'svg', 'math', 'noscript'])
const PARAGRAPH_TAGS = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'pre', 'table', 'dl', 'address', 'figure', 'form', 'fieldset'])
const LINE_TAGS = new Set([
  'div',
  'tr',
  'dt',
  'dd',
  'section',
  'article',
  'header',
  'footer',
  'aside',
  'nav',
  'main',
  'center',
  'caption',
  'figcaption',
  'details',
  'summary'
])

interface ListState {
  ordered: boolean
  next: number
}

interface LinkState {
  href: string | null
  /** The link's text so far (capped: only needed to tell whether it repeats the URL). */
  text: string
}

const MAX_LINK_TEXT = 4096

class PlainTextWriter {
  private out = ''
  /** Newlines at the very end of `out`. */
  private trailingNewlines = 0
  private atLineStart = true
  /** Breaks requested by block boundaries, applied lazily before the next content (so they never pile up). */
  private pendingBreaks = 0
  private pendingSpace = false
  /** Breaks are ignored at the start of a table cell, so cells stay on one line. */
  private suppressBreaks = false
  private marker: string | null = null
  private cells: Array<{ length: number; pendingBreaks: number }> = []
  /** Quote depth of the last line with content. */
  private lastQuoteDepth = 0

  quoteDepth = 0
  listDepth = 0

  requestBreak(count: 1 | 2): void {
    this.pendingSpace = false
    if (this.suppressBreaks) return
    this.pendingBreaks = Math.max(this.pendingBreaks, count)
  }

  clearBreaks(): void {
    this.pendingBreaks = 0
    this.pendingSpace = false
  }

  /** The first cell keeps the row's pending line break; the others start with a tab. */
  startCell(first: boolean): void {
    if (!first) this.raw('\t')
    this.cells.push({ length: this.out.length, pendingBreaks: this.pendingBreaks })
    this.pendingSpace = false
    this.suppressBreaks = true
  }

  /** Breaks requested inside the cell are dropped; an empty first cell leaves the row's break pending. */
  endCell(): void {
    const cell = this.cells.pop()
    this.suppressBreaks = false
    this.pendingSpace = false
    this.pendingBreaks = cell && this.out.length === cell.length ? cell.pendingBreaks : 0
  }

  setMarker(marker: string): void {
    this.marker = marker
  }

  lineBreak(): void {
    this.applyBreaks()
    this.suppressBreaks = false
    this.newline()
    this.pendingSpace = false
  }

  /** Collapsible text (outside pre). */
  text(value: string): void {
    const collapsed = value.replace(/[\s\u00A0]+/g, ' ')
    if (collapsed === '') return
    const startsWithSpace = collapsed.startsWith(' ')
    const endsWithSpace = collapsed.endsWith(' ')
    const words = collapsed.trim()
    if (words === '') {
      this.pendingSpace = this.pendingSpace || !this.atLineStart
      return
    }
    this.applyBreaks()
    if ((startsWithSpace || this.pendingSpace) && !this.atLineStart) this.write(' ')
    this.write(words)
    this.pendingSpace = endsWithSpace
  }

  /** Preformatted text: kept as is, line by line. */
  preformatted(value: string): void {
    const lines = value.replace(/\r\n?/g, '\n').split('\n')
    lines.forEach((line, index) => {
      if (index > 0) this.newline()
      if (line !== '') {
        this.applyBreaks()
        this.write(line)
      }
    })
    this.pendingSpace = false
  }

  /** Content that is not collapsed (tabs between cells, rules). */
  raw(value: string): void {
    this.applyBreaks()
    this.write(value)
    this.pendingSpace = false
  }

  finish(): string {
    return this.out
      .split('\n')
      .map((line) => line.replace(/[ \t]+$/, ''))
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .replace(/^\n+/, '')
      .trimEnd()
  }

  private prefix(): string {
    return '> '.repeat(this.quoteDepth)
  }

  private applyBreaks(): void {
    this.suppressBreaks = false
    if (this.pendingBreaks === 0) return
    if (this.out !== '') {
      while (this.trailingNewlines < this.pendingBreaks) this.newline()
    }
    this.pendingBreaks = 0
  }

  private newline(): void {
    if (this.atLineStart) {
      // A blank line belongs to the shallower of the quotes around it.
      const depth = Math.min(this.quoteDepth, this.lastQuoteDepth)
      if (depth > 0) this.out += '> '.repeat(depth).trimEnd()
    }
    this.out += '\n'
    this.trailingNewlines++
    this.atLineStart = true
  }

  private write(value: string): void {
    if (value === '') return
    if (this.atLineStart) {
      let lead = this.prefix()
      if (this.listDepth > 0) {
        if (this.marker !== null) lead += '  '.repeat(this.listDepth - 1) + this.marker
        else lead += '  '.repeat(this.listDepth)
      }
      this.marker = null
      this.out += lead
      this.atLineStart = false
      this.lastQuoteDepth = this.quoteDepth
    }
    this.out += value
    this.trailingNewlines = 0
  }
}

function sameTarget(text: string, href: string): boolean {
  const norm = (s: string) =>
    s
      .trim()
      .toLowerCase()
      .replace(/^(?:mailto:|tel:)/, '')
      .replace(/^https?:\/\//, '')
      .replace(/\/+$/, '')
  return norm(text) === norm(href)
}

/**
 * A readable plain-text rendering of HTML, for the text/plain alternative of outbound mail and for search/preview:
 * paragraphs separated by a blank line, `- ` before unordered list items and `1. ` before ordered ones, `> ` before
 * quoted lines, links as `text (url)` (only http, https, mailto and tel URLs are shown), table cells separated by
 * tabs, image alt text, whitespace collapsed and entities decoded.
 */
export function htmlToText(html: string): string {
  const writer = new PlainTextWriter()
  const lists: ListState[] = []
  const links: LinkState[] = []
  const firstCell: boolean[] = []
  let skipDepth = 0
  let preDepth = 0
  const linkText = (text: string) => {
    for (const link of links) if (link.text.length < MAX_LINK_TEXT) link.text += text
  }

  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (skipDepth > 0 || SKIP_TEXT_TAGS.has(name)) {
          skipDepth++
          return
        }
        if (PARAGRAPH_TAGS.has(name)) writer.requestBreak(2)
        else if (LINE_TAGS.has(name)) writer.requestBreak(1)
        switch (name) {
          case 'br':
            writer.lineBreak()
            break
          case 'hr':
            writer.requestBreak(2)
            writer.raw('----------')
            writer.requestBreak(2)
            break
          case 'pre':
            preDepth++
            break
          case 'blockquote':
            writer.requestBreak(2)
            writer.quoteDepth++
            break
          case 'ul':
          case 'ol': {
            writer.requestBreak(lists.length === 0 ? 2 : 1)
            const start = Number.parseInt(attribs.start ?? '', 10)
            lists.push({ ordered: name === 'ol', next: Number.isFinite(start) ? start : 1 })
            writer.listDepth = lists.length
            break
          }
          case 'li': {
            writer.requestBreak(1)
            const list = lists[lists.length - 1]
            if (list) {
              writer.setMarker(list.ordered ? `${list.next}. ` : '- ')
              list.next++
            } else {
              writer.setMarker('- ')
            }
            break
          }
          case 'tr':
            firstCell.push(true)
            break
          case 'td':
          case 'th': {
            const first = firstCell[firstCell.length - 1] ?? true
            if (firstCell.length > 0) firstCell[firstCell.length - 1] = false
            writer.startCell(first)
            break
          }
          case 'a': {
            const href = acceptHref(attribs.href, ['http', 'https', 'mailto', 'tel'])
            links.push({ href, text: '' })
            break
          }
          case 'img': {
            const alt = (attribs.alt ?? '').trim()
            if (alt) {
              writer.text(alt)
              linkText(` ${alt} `)
            }
            break
          }
        }
      },
      ontext(text) {
        if (skipDepth > 0) return
        if (preDepth > 0) writer.preformatted(text)
        else writer.text(text)
        linkText(text)
      },
      onclosetag(name) {
        if (skipDepth > 0) {
          skipDepth--
          return
        }
        if (PARAGRAPH_TAGS.has(name)) writer.requestBreak(2)
        else if (LINE_TAGS.has(name)) writer.requestBreak(1)
        switch (name) {
          case 'pre':
            preDepth = Math.max(0, preDepth - 1)
            break
          case 'blockquote':
            writer.requestBreak(2)
            writer.quoteDepth = Math.max(0, writer.quoteDepth - 1)
            break
          case 'ul':
          case 'ol':
            lists.pop()
            writer.listDepth = lists.length
            writer.requestBreak(lists.length === 0 ? 2 : 1)
            break
          case 'li':
            writer.requestBreak(1)
            break
          case 'td':
          case 'th':
            writer.endCell()
            break
          case 'tr':
            firstCell.pop()
            writer.requestBreak(1)
            break
          case 'a': {
            const link = links.pop()
            if (link?.href) {
              const text = link.text.replace(/\s+/g, ' ').trim()
              if (text !== '' && !sameTarget(text, link.href)) writer.text(` (${link.href})`)
            }
            break
          }
        }
      }
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true }
  )
  parser.write(html)
  parser.end()
  return writer.finish()
}
