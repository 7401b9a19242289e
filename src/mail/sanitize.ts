// HTML hygiene for mail: sanitising inbound (citizen) HTML before an operator's browser shows it, sanitising
// operator-authored HTML from the rich-text editor before it is stored and sent, and converting between HTML and
// plain text for the text/plain alternative of outbound mail. Pure functions, no I/O.
import sanitizeHtml from 'sanitize-html'
import { Parser } from 'htmlparser2'
import { escapeHtml } from '../domain/escape.js'

// ---------------------------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------------------------

/** Browsers drop ASCII tab/newline anywhere in a URL and trim C0 controls and spaces: do the same before judging. */
function cleanUrl(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001F\u007F]+/g, '').trim()
}

/** The lower-cased scheme of a URL, '' when it has none (a relative URL). */
function urlScheme(cleaned: string): string {
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(cleaned)
  return match?.[1] ? match[1].toLowerCase() : ''
}

/** `//host/x` and `\\host\x` are absolute (protocol-relative) even though they have no scheme. */
function isProtocolRelative(cleaned: string): boolean {
  return /^[/\\]{2}/.test(cleaned) || /^[/\\]\s*[/\\]/.test(cleaned)
}

/** An href with one of the given schemes, cleaned; null when it is relative, protocol-relative or another scheme. */
function acceptHref(raw: string | undefined, schemes: readonly string[]): string | null {
  if (raw === undefined) return null
  const cleaned = cleanUrl(raw)
  if (!cleaned || isProtocolRelative(cleaned)) return null
  const scheme = urlScheme(cleaned)
  if (!scheme || !schemes.includes(scheme)) return null
  if ((scheme === 'http' || scheme === 'https') && !/^https?:\/\/[^/\\\s]/i.test(cleaned)) return null
  return cleaned
}

/** A URL produced by one of our callbacks for an image: http(s) or a same-origin path (not protocol-relative). */
function acceptGeneratedImageUrl(value: string | null | undefined, extraSchemes: readonly string[] = []): string | null {
  if (typeof value !== 'string') return null
  const cleaned = cleanUrl(value)
  if (!cleaned || isProtocolRelative(cleaned)) return null
  const scheme = urlScheme(cleaned)
  if (scheme === '') return cleaned.startsWith('\\') ? null : cleaned
  return scheme === 'http' || scheme === 'https' || extraSchemes.includes(scheme) ? cleaned : null
}

/** The Content-ID a `cid:` URL refers to (RFC 2392: URL-encoded, without angle brackets); null for other URLs. */
function cidOf(src: string | undefined): string | null {
  if (src === undefined) return null
  const cleaned = cleanUrl(src)
  if (!/^cid:/i.test(cleaned)) return null
  let id = cleaned.slice(4)
  try {
    id = decodeURIComponent(id)
  } catch {
    // not valid percent-encoding: use it as written
  }
  id = id.trim().replace(/^<+/, '').replace(/>+$/, '').trim()
  return id === '' ? null : id
}

const LINK_REL = 'noopener noreferrer nofollow'

/** Elements the sender hid with inline CSS; the CSS does not survive sanitising, so neither may they. */
function isHidden(attribs: sanitizeHtml.Attributes): boolean {
  const style = attribs.style ?? ''
  return /(?:^|;)\s*display\s*:\s*none\b/i.test(style) || /mso-hide\s*:\s*all/i.test(style)
}

/** Elements whose content is never visible text (or is dangerous) and is dropped along with the element. */
const DROP_CONTENT_TAGS = [
  'script',
  'style',
  'title',
  'textarea',
  'option',
  'select',
  'datalist',
  'xmp',
  'xml',
  'svg',
  'math',
  'template',
  'iframe',
  'frame',
  'frameset',
  'object',
  'applet',
  'noscript',
  'noembed',
  'noframes',
  'canvas',
  'audio',
  'video'
]

// Elements the transforms decide to remove are renamed to one of two carrier tags, which the sanitizer allows
// (without attributes) and removeCarriers() strips from its output afterwards in one linear pass: UNWRAP keeps the
// content, DROP removes it too. The obvious alternatives do not work with sanitize-html 2.x: renaming to a
// disallowed tag leaves the rename recorded for that depth, so the closing tag of the next allowed sibling comes
// out misnamed (`<b>bold</renamed>`), and exclusiveFilter rebuilds the whole output string for every removal
// (quadratic: a mail with tens of thousands of removed elements takes minutes).
// sanitize-html escapes every `<` in text and attribute values, so in its output these exact strings can only be
// our carriers; a carrier-named element in the input is unwrapped like any unknown element.
const UNWRAP = 'x-trc-unwrap'
const DROP = 'x-trc-drop'
const CARRIER_TAG = new RegExp(`<(/?)(${UNWRAP}|${DROP})>`, 'g')

const unwrap = (text?: string): sanitizeHtml.Tag => (text ? { tagName: UNWRAP, attribs: {}, text } : { tagName: UNWRAP, attribs: {} })
const drop = (): sanitizeHtml.Tag => ({ tagName: DROP, attribs: {} })

function removeCarriers(html: string): string {
  if (!html.includes('<x-trc-')) return html
  let out = ''
  let last = 0
  let dropDepth = 0
  for (const match of html.matchAll(CARRIER_TAG)) {
    if (dropDepth === 0) out += html.slice(last, match.index)
    if (match[2] === DROP) dropDepth = Math.max(0, dropDepth + (match[1] ? -1 : 1))
    last = match.index + match[0].length
  }
  if (dropDepth === 0) out += html.slice(last)
  return out
}

/** A replacement for an image we refuse to show: its alt text as plain text, or nothing. */
function imageReplacement(attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag {
  const alt = (attribs.alt ?? '').replace(/\s+/g, ' ').trim()
  // The alt text travels as the carrier's content (sanitize-html escapes it).
  return alt ? unwrap(alt) : drop()
}

/** Transforms shared by both sanitizers: carrier-named elements in the input lose their special meaning. */
const CARRIER_GUARDS: Record<string, sanitizeHtml.Transformer> = {
  [UNWRAP]: () => unwrap(),
  [DROP]: () => unwrap()
}

function imageAttribs(attribs: sanitizeHtml.Attributes, src: string): sanitizeHtml.Attributes {
  const out: sanitizeHtml.Attributes = { src }
  for (const name of ['alt', 'title', 'width', 'height'] as const) {
    const value = attribs[name]
    if (value !== undefined) out[name] = value
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------------
// Inline CSS allowlist (inbound mail)
// ---------------------------------------------------------------------------------------------------------------

// Values are matched token by token against an allowlist: numbers with units, plain keywords, hex colours and
// rgb()/rgba()/hsl()/hsla() with numeric arguments. Anything else (url(, expression(, javascript:, @import,
// backslash escapes, comments, quotes) cannot match.
const NUMBER = String.raw`[+-]?(?:\d+(?:\.\d+)?|\.\d+)`
const LENGTH = String.raw`${NUMBER}(?:px|pt|pc|em|rem|ex|ch|%|cm|mm|in|q|vw|vh)?`
const KEYWORD = String.raw`[a-zA-Z][a-zA-Z-]*`
const HEX = String.raw`#[0-9a-fA-F]{3,8}`
const COLOR_FN = String.raw`(?:rgba?|hsla?)\(\s*${NUMBER}(?:deg|%)?(?:\s*[,/]?\s*${NUMBER}(?:deg|%)?){2,3}\s*\)`
const COLOR = String.raw`(?:${KEYWORD}|${HEX}|${COLOR_FN})`
const TOKEN = String.raw`(?:${LENGTH}|${COLOR})`

const colorValue = new RegExp(String.raw`^\s*${COLOR}\s*$`, 'i')
const tokensValue = new RegExp(String.raw`^\s*${TOKEN}(?:\s+${TOKEN}){0,5}\s*$`, 'i')
const lengthsValue = new RegExp(String.raw`^\s*(?:${LENGTH}|auto)(?:\s+(?:${LENGTH}|auto)){0,3}\s*$`, 'i')
const keywordsValue = new RegExp(String.raw`^\s*${KEYWORD}(?:\s+${KEYWORD}){0,3}\s*$`, 'i')

function inboundAllowedStyles(): Record<string, RegExp[]> {
  const styles: Record<string, RegExp[]> = {
    color: [colorValue],
    'background-color': [colorValue],
    'font-weight': [/^\s*(?:normal|bold|bolder|lighter|[1-9]00)\s*$/i],
    'font-style': [/^\s*(?:normal|italic|oblique)\s*$/i],
    'text-decoration': [tokensValue],
    'text-decoration-line': [keywordsValue],
    'text-align': [/^\s*(?:left|right|center|justify|start|end)\s*$/i],
    'border-collapse': [/^\s*(?:collapse|separate)\s*$/i],
    'border-spacing': [lengthsValue]
  }
  for (const side of ['', '-top', '-right', '-bottom', '-left']) {
    styles[`margin${side}`] = [lengthsValue]
    styles[`padding${side}`] = [lengthsValue]
    styles[`border${side}`] = [tokensValue]
    styles[`border${side}-color`] = [tokensValue]
    styles[`border${side}-style`] = [keywordsValue]
    styles[`border${side}-width`] = [tokensValue]
  }
  for (const corner of ['', '-top-left', '-top-right', '-bottom-left', '-bottom-right']) {
    styles[`border${corner}-radius`] = [lengthsValue]
  }
  return styles
}

const INBOUND_STYLES = inboundAllowedStyles()

// ---------------------------------------------------------------------------------------------------------------
// Inbound mail
// ---------------------------------------------------------------------------------------------------------------

export interface SanitizeEmailOptions {
  /**
   * Maps the Content-ID of a `cid:` image (without `cid:` and angle brackets, percent-decoded) to the URL the
   * operator's browser should load it from (e.g. the stored attachment's download route). Return null when the
   * message has no such part: the image is replaced by its alt text. Only http(s) and same-origin relative URLs
   * are accepted back.
   */
  cidUrl?: (contentId: string) => string | null
  /** Largest inline `data:image/png|jpeg|gif;base64` image kept, in decoded bytes. Default 1 MiB. */
  maxDataImageBytes?: number
}

export const DEFAULT_MAX_DATA_IMAGE_BYTES = 1024 * 1024

const INBOUND_TAGS = [
  'p',
  'br',
  'div',
  'span',
  'b',
  'strong',
  'i',
  'em',
  'u',
  's',
  'a',
  'ul',
  'ol',
  'li',
  'blockquote',
  'pre',
  'code',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'table',
  'thead',
  'tbody',
  'tfoot',
  'tr',
  'th',
  'td',
  'caption',
  'colgroup',
  'col',
  'img',
  'hr',
  'font',
  'center',
  'sub',
  'sup',
  'small'
]

const CELL_ATTRS = ['colspan', 'rowspan', 'width', 'height', 'align', 'valign', 'bgcolor', 'nowrap']
const INBOUND_ATTRIBUTES: Record<string, string[]> = {
  '*': ['style', 'dir', 'lang', 'title', 'align'],
  a: ['href', 'target', 'rel'],
  img: ['src', 'alt', 'width', 'height'],
  font: ['color', 'face', 'size'],
  table: ['width', 'height', 'border', 'cellpadding', 'cellspacing', 'bgcolor', 'summary'],
  tr: ['valign', 'bgcolor', 'height'],
  td: CELL_ATTRS,
  th: [...CELL_ATTRS, 'scope'],
  col: ['span', 'width'],
  colgroup: ['span', 'width'],
  ol: ['start', 'type'],
  ul: ['type'],
  li: ['value'],
  hr: ['width', 'size', 'noshade']
}

const DATA_IMAGE = /^data:image\/(png|jpe?g|gif);base64,([A-Za-z0-9+/=\s]*)$/i

function dataImage(cleanedSrc: string, maxBytes: number): string | null {
  const match = DATA_IMAGE.exec(cleanedSrc)
  if (!match?.[1] || match[2] === undefined) return null
  const payload = match[2].replace(/\s+/g, '')
  if (payload === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(payload)) return null
  const padding = payload.endsWith('==') ? 2 : payload.endsWith('=') ? 1 : 0
  const bytes = Math.floor((payload.length * 3) / 4) - padding
  if (bytes > maxBytes) return null
  const type = match[1].toLowerCase() === 'jpg' ? 'jpeg' : match[1].toLowerCase()
  return `data:image/${type};base64,${payload}`
}

/**
 * Sanitises the HTML body of an inbound email for display inside the operator UI. The result contains only an
 * allowlist of formatting tags and attributes, links that open in a new tab with rel="noopener noreferrer nofollow",
 * no remote resources at all (remote images become their alt text), `cid:` images rewritten through `cidUrl`, small
 * `data:` PNG/JPEG/GIF images, and a small allowlist of inline styles. No class/id attributes survive.
 */
export function sanitizeEmailHtml(html: string, options: SanitizeEmailOptions = {}): string {
  const maxDataBytes = options.maxDataImageBytes ?? DEFAULT_MAX_DATA_IMAGE_BYTES
  const sanitized = sanitizeHtml(html, {
    allowedTags: [...INBOUND_TAGS, UNWRAP, DROP],
    allowedAttributes: INBOUND_ATTRIBUTES,
    allowedStyles: { '*': INBOUND_STYLES },
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    // Image sources are decided by the img transform below; only what it produces reaches this check.
    allowedSchemesByTag: { img: ['http', 'https', 'data'] },
    allowProtocolRelative: false,
    allowedClasses: {},
    nonTextTags: DROP_CONTENT_TAGS,
    disallowedTagsMode: 'discard',
    enforceHtmlBoundary: false,
    nestingLimit: 120,
    selfClosing: ['img', 'br', 'hr', 'col'],
    transformTags: {
      ...CARRIER_GUARDS,
      a: (_tag, attribs) => {
        if (isHidden(attribs)) return drop()
        const href = acceptHref(attribs.href, ['http', 'https', 'mailto', 'tel'])
        if (href === null) return unwrap()
        const out: sanitizeHtml.Attributes = { href, target: '_blank', rel: LINK_REL }
        if (attribs.title !== undefined) out.title = attribs.title
        if (attribs.style !== undefined) out.style = attribs.style
        return { tagName: 'a', attribs: out }
      },
      img: (_tag, attribs) => {
        if (isHidden(attribs)) return drop()
        const cid = cidOf(attribs.src)
        if (cid !== null) {
          const url = acceptGeneratedImageUrl(options.cidUrl?.(cid))
          return url === null ? imageReplacement(attribs) : { tagName: 'img', attribs: imageAttribs(attribs, url) }
        }
        const data = attribs.src === undefined ? null : dataImage(cleanUrl(attribs.src), maxDataBytes)
        if (data !== null) return { tagName: 'img', attribs: imageAttribs(attribs, data) }
        // Remote (tracking) images, relative sources and anything else: never loaded.
        return imageReplacement(attribs)
      },
      // Content the sender hid (preheaders, Outlook's mso-hide) stays hidden: the style that hid it is dropped.
      '*': (tag, attribs) => (isHidden(attribs) ? drop() : { tagName: tag, attribs })
    }
  })
  return removeCarriers(sanitized)
}

// ---------------------------------------------------------------------------------------------------------------
// Operator-authored HTML (rich-text editor, Word/Outlook paste)
// ---------------------------------------------------------------------------------------------------------------

export interface SanitizeEditorOptions {
  /**
   * Decides which images stay: receives the image's src as written and returns the src to keep (possibly
   * rewritten) or null to drop it. Accepted return values: `cid:` URLs, http(s) URLs and same-origin relative
   * URLs. Without this option only `cid:` images are kept.
   */
  imageSrc?: (src: string) => string | null
}

const EDITOR_TAGS = [
  'p',
  'br',
  'div',
  'b',
  'strong',
  'i',
  'em',
  'u',
  's',
  'a',
  'ul',
  'ol',
  'li',
  'blockquote',
  'h2',
  'h3',
  'h4',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'img'
]

const EDITOR_ATTRIBUTES: Record<string, string[]> = {
  '*': ['style'],
  a: ['href', 'target', 'rel'],
  img: ['src', 'alt', 'width', 'height'],
  td: ['colspan', 'rowspan'],
  th: ['colspan', 'rowspan'],
  ol: ['start']
}

/** Word's list bullets (`<span style="mso-list:Ignore">·&nbsp;&nbsp;</span>`): noise once the list is plain text. */
function isWordListBullet(attribs: sanitizeHtml.Attributes): boolean {
  return /mso-list\s*:\s*ignore/i.test(attribs.style ?? '')
}

/**
 * Sanitises operator-authored HTML: a strict formatting subset (paragraphs, emphasis, links, lists, quotes, h2–h4,
 * simple tables), no classes, no styles except text-align, none of Word's `mso-*` / `<o:p>` / `<xml>` leftovers.
 * h1 becomes h2, h5/h6 become h4, strike/del become s. Links must be http, https or mailto.
 */
export function sanitizeEditorHtml(html: string, options: SanitizeEditorOptions = {}): string {
  const sanitized = sanitizeHtml(html, {
    allowedTags: [...EDITOR_TAGS, UNWRAP, DROP],
    allowedAttributes: EDITOR_ATTRIBUTES,
    allowedStyles: { '*': { 'text-align': [/^\s*(?:left|right|center|justify)\s*$/i] } },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['http', 'https', 'cid'] },
    allowProtocolRelative: false,
    allowedClasses: {},
    nonTextTags: DROP_CONTENT_TAGS,
    disallowedTagsMode: 'discard',
    nestingLimit: 60,
    selfClosing: ['img', 'br'],
    transformTags: {
      ...CARRIER_GUARDS,
      h1: 'h2',
      h5: 'h4',
      h6: 'h4',
      strike: 's',
      del: 's',
      a: (_tag, attribs) => {
        if (isHidden(attribs)) return drop()
        const href = acceptHref(attribs.href, ['http', 'https', 'mailto'])
        if (href === null) return unwrap()
        return { tagName: 'a', attribs: { href, target: '_blank', rel: LINK_REL } }
      },
      img: (_tag, attribs) => {
        if (isHidden(attribs)) return drop()
        const raw = attribs.src === undefined ? '' : cleanUrl(attribs.src)
        let src: string | null = null
        if (raw !== '') {
          if (options.imageSrc) src = acceptGeneratedImageUrl(options.imageSrc(raw), ['cid'])
          else if (cidOf(raw) !== null) src = raw
        }
        return src === null ? imageReplacement(attribs) : { tagName: 'img', attribs: imageAttribs(attribs, src) }
      },
      '*': (tag, attribs) => (isHidden(attribs) || isWordListBullet(attribs) ? drop() : { tagName: tag, attribs })
    }
  })
  return removeCarriers(sanitized)
}

// ---------------------------------------------------------------------------------------------------------------
// HTML → plain text
// ---------------------------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------------------------
// Plain text → HTML
// ---------------------------------------------------------------------------------------------------------------

/** Runs of spaces and a line's leading spaces survive HTML whitespace collapsing. */
function preserveSpaces(escaped: string): string {
  return escaped
    .replace(/\t/g, '    ')
    .replace(/^ +/, (m) => '&nbsp;'.repeat(m.length))
    .replace(/ {2,}/g, (m) => ' ' + '&nbsp;'.repeat(m.length - 1))
}

const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"'`]+/gi

/** Trailing punctuation belongs to the sentence, not the URL (a closing bracket only when unbalanced). */
function trimUrl(url: string): string {
  let end = url.length
  for (;;) {
    const last = url[end - 1]
    if (last === undefined) break
    if ('.,;:!?\'"'.includes(last)) {
      end--
      continue
    }
    const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' }
    const open = pairs[last]
    if (open !== undefined) {
      const body = url.slice(0, end)
      if (body.split(open).length < body.split(last).length) {
        end--
        continue
      }
    }
    break
  }
  return url.slice(0, end)
}

function linkifyLine(line: string): string {
  let html = ''
  let index = 0
  for (const match of line.matchAll(URL_IN_TEXT)) {
    const start = match.index
    const url = trimUrl(match[0])
    if (!/^https?:\/\/[^/\\\s]/i.test(url)) continue
    html += preserveSpaces(escapeHtml(line.slice(index, start)))
    html += `<a href="${escapeHtml(url)}" target="_blank" rel="${LINK_REL}">${escapeHtml(url)}</a>`
    index = start + url.length
  }
  return html + preserveSpaces(escapeHtml(line.slice(index)))
}

/**
 * Plain text as HTML: escaped, blank-line separated blocks as paragraphs, single newlines as `<br>`, runs of spaces
 * kept, http(s) URLs as links.
 */
export function textToHtml(text: string): string {
  const normalised = text.replace(/\r\n?/g, '\n')
  return normalised
    .split(/\n[ \t]*\n(?:[ \t]*\n)*/)
    .map((block) => block.replace(/^\n+|\n+$/g, ''))
    .filter((block) => block.trim() !== '')
    .map((block) => `<p>${block.split('\n').map(linkifyLine).join('<br>\n')}</p>`)
    .join('\n')
}
