// Operator-authored HTML (the rich-text editor, Word/Outlook paste), sanitised before it is stored and sent.
import sanitizeHtml from 'sanitize-html'
import { isHidden, DROP_CONTENT_TAGS, UNWRAP, DROP, unwrap, drop, removeCarriers, imageReplacement, CARRIER_GUARDS, imageAttribs } from './shared.js'
import { EDITOR_TEXT_TAGS } from './editor-tags.js'
import { cleanUrl, acceptHref, acceptGeneratedImageUrl, cidOf, LINK_REL } from './url-policy.js'

export interface SanitizeEditorOptions {
  /**
   * Decides which images stay: receives the image's src as written and returns the src to keep (possibly
   * rewritten) or null to drop it. Accepted return values: `cid:` URLs, http(s) URLs and same-origin relative
   * URLs. Without this option only `cid:` images are kept.
   */
  imageSrc?: (src: string) => string | null
}

const EDITOR_TAGS = [...EDITOR_TEXT_TAGS, 'img']

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
