// Inbound (citizen) mail HTML, sanitised before an operator's browser shows it: an allowlist of tags,
// attributes and inline CSS values; remote images only through the caller's proxy; cid: images resolved.
import sanitizeHtml from 'sanitize-html'
import { isHidden, DROP_CONTENT_TAGS, UNWRAP, DROP, unwrap, drop, removeCarriers, imageReplacement, CARRIER_GUARDS, imageAttribs } from './shared.js'
import { cleanUrl, acceptHref, acceptGeneratedImageUrl, cidOf, LINK_REL } from './url-policy.js'

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
