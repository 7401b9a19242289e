// What both sanitizers (inbound mail, operator editor) share: hidden and never-visible elements, the carrier
// tags that remove elements in one linear pass, and how an image is replaced or kept.
import type sanitizeHtml from 'sanitize-html'

/** Elements the sender hid with inline CSS; the CSS does not survive sanitising, so neither may they. */
export function isHidden(attribs: sanitizeHtml.Attributes): boolean {
  const style = attribs.style ?? ''
  return /(?:^|;)\s*display\s*:\s*none\b/i.test(style) || /mso-hide\s*:\s*all/i.test(style)
}

/** Elements whose content is never visible text (or is dangerous) and is dropped along with the element. */
export const DROP_CONTENT_TAGS = [
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
export const UNWRAP = 'x-trc-unwrap'
export const DROP = 'x-trc-drop'
const CARRIER_TAG = new RegExp(`<(/?)(${UNWRAP}|${DROP})>`, 'g')

export const unwrap = (text?: string): sanitizeHtml.Tag => (text ? { tagName: UNWRAP, attribs: {}, text } : { tagName: UNWRAP, attribs: {} })
export const drop = (): sanitizeHtml.Tag => ({ tagName: DROP, attribs: {} })

export function removeCarriers(html: string): string {
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
export function imageReplacement(attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag {
  const alt = (attribs.alt ?? '').replace(/\s+/g, ' ').trim()
  // The alt text travels as the carrier's content (sanitize-html escapes it).
  return alt ? unwrap(alt) : drop()
}

/** Transforms shared by both sanitizers: carrier-named elements in the input lose their special meaning. */
export const CARRIER_GUARDS: Record<string, sanitizeHtml.Transformer> = {
  [UNWRAP]: () => unwrap(),
  [DROP]: () => unwrap()
}

export function imageAttribs(attribs: sanitizeHtml.Attributes, src: string): sanitizeHtml.Attributes {
  const out: sanitizeHtml.Attributes = { src }
  for (const name of ['alt', 'title', 'width', 'height'] as const) {
    const value = attribs[name]
    if (value !== undefined) out[name] = value
  }
  return out
}
