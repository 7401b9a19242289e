// Clipboard HTML from Word, Outlook, LibreOffice, Google Docs and web pages, reduced to what the editor (and the
// server's editor sanitiser) keeps: paragraphs, emphasis, links, lists, quotes, headings h2–h4 and simple tables.
// The server sanitises again; this only spares the operator a message full of Mso classes and hidden spans.
import { escapeHtml } from '../../src/domain/escape.js'
import { EDITOR_TEXT_TAGS } from '../../src/mail/sanitize/editor-tags.js'

const KEEP: ReadonlySet<string> = new Set(EDITOR_TEXT_TAGS)
const RENAME: Record<string, string> = {
  h1: 'h2',
  h5: 'h4',
  h6: 'h4',
  strike: 's',
  del: 's',
  ins: 'u',
  section: 'div',
  article: 'div',
  header: 'div',
  footer: 'div',
  main: 'div',
  center: 'div',
  pre: 'p',
  dl: 'div',
  dt: 'p',
  dd: 'p',
  tfoot: 'tbody',
  caption: 'p'
}
const DROP =
  'script,style,meta,link,title,xml,template,iframe,object,embed,svg,math,head,img,picture,video,audio,canvas,input,button,select,textarea,form,noscript'
const LINK = /^(?:https?:\/\/[^/\\\s]|mailto:)/i

function isHidden(el: Element): boolean {
  const style = el.getAttribute('style') ?? ''
  return /display\s*:\s*none|mso-hide\s*:\s*all|visibility\s*:\s*hidden/i.test(style) || /mso-list\s*:\s*ignore/i.test(style)
}

interface WordListItem {
  level: number
  ordered: boolean
}

/** Word marks list paragraphs with `mso-list:l0 level1 lfo1` and a fake bullet in a `mso-list:Ignore` span. */
function wordListItem(el: Element): WordListItem | null {
  if (el.localName !== 'p') return null
  const style = el.getAttribute('style') ?? ''
  const cls = el.getAttribute('class') ?? ''
  const level = /mso-list\s*:[^;]*level(\d+)/i.exec(style)
  if (!level && !/MsoListParagraph/i.test(cls)) return null
  const bullet = el.querySelector('[style*="mso-list"]')
  const marker = (bullet?.textContent ?? '').replace(/\s+/g, '').trim()
  return { level: Number(level?.[1] ?? '1'), ordered: /^(?:\d+|[a-zA-Z]|[ivxlcIVXLC]+)[.)]$/.test(marker) }
}

/** Turns runs of Word list paragraphs into real (nested) lists. */
function rebuildWordLists(root: Element): void {
  const items = Array.from(root.querySelectorAll('p')).filter((p) => wordListItem(p) !== null)
  let i = 0
  while (i < items.length) {
    const first = items[i] as Element
    const doc = first.ownerDocument
    const info = wordListItem(first) as WordListItem
    const top = doc.createElement(info.ordered ? 'ol' : 'ul')
    first.before(top)
    const stack: Array<{ list: Element; level: number }> = [{ list: top, level: info.level }]
    let current: Element | null = first
    while (current && i < items.length && current === items[i]) {
      const item = wordListItem(current) as WordListItem
      while (stack.length > 1 && item.level < (stack[stack.length - 1] as { level: number }).level) stack.pop()
      let frame = stack[stack.length - 1] as { list: Element; level: number }
      if (item.level > frame.level) {
        const nested = doc.createElement(item.ordered ? 'ol' : 'ul')
        const parentLi = frame.list.lastElementChild ?? frame.list.appendChild(doc.createElement('li'))
        parentLi.append(nested)
        frame = { list: nested, level: item.level }
        stack.push(frame)
      }
      const li = doc.createElement('li')
      for (const ignore of Array.from(current.querySelectorAll('[style*="mso-list"]'))) ignore.remove()
      li.append(...Array.from(current.childNodes))
      frame.list.append(li)
      const next: Element | null = current.nextElementSibling
      current.remove()
      i++
      current = next
    }
  }
}

function cleanElement(el: Element): void {
  for (const child of Array.from(el.children)) cleanElement(child)
  const doc = el.ownerDocument
  let tag = el.localName
  if (tag.includes(':')) {
    // <o:p>, <w:sdt>, <v:shape>
    el.replaceWith(...Array.from(el.childNodes))
    return
  }
  const style = el.getAttribute('style') ?? ''
  // Google Docs wraps everything in <b style="font-weight:normal">; styled spans carry the real emphasis.
  if (tag === 'b' && /font-weight\s*:\s*(?:normal|400)/i.test(style)) tag = 'span'
  if (tag === 'span' || tag === 'font') {
    const bold = /font-weight\s*:\s*(?:bold|[6-9]00)/i.test(style)
    const italic = /font-style\s*:\s*italic/i.test(style)
    const underline = /text-decoration[^;]*underline/i.test(style)
    let content: Node[] = Array.from(el.childNodes)
    for (const [on, name] of [
      [underline, 'u'],
      [italic, 'em'],
      [bold, 'strong']
    ] as const) {
      if (!on) continue
      const wrapper = doc.createElement(name)
      wrapper.append(...content)
      content = [wrapper]
    }
    el.replaceWith(...content)
    return
  }
  tag = RENAME[tag] ?? tag
  if (!KEEP.has(tag)) {
    el.replaceWith(...Array.from(el.childNodes))
    return
  }
  const replacement = tag === el.localName ? el : doc.createElement(tag)
  if (replacement !== el) {
    replacement.append(...Array.from(el.childNodes))
    el.replaceWith(replacement)
  }
  const align = /text-align\s*:\s*(left|right|center|justify)/i.exec(style)?.[1]
  const href = tag === 'a' ? (el.getAttribute('href') ?? '').trim() : ''
  const span = ['td', 'th'].includes(tag) ? { colspan: el.getAttribute('colspan'), rowspan: el.getAttribute('rowspan') } : null
  for (const attr of Array.from(replacement.attributes)) replacement.removeAttribute(attr.name)
  if (align && align.toLowerCase() !== 'left') replacement.setAttribute('style', `text-align:${align.toLowerCase()}`)
  if (tag === 'a') {
    if (LINK.test(href)) replacement.setAttribute('href', href)
    else {
      replacement.replaceWith(...Array.from(replacement.childNodes))
      return
    }
  }
  if (span?.colspan && /^\d+$/.test(span.colspan)) replacement.setAttribute('colspan', span.colspan)
  if (span?.rowspan && /^\d+$/.test(span.rowspan)) replacement.setAttribute('rowspan', span.rowspan)
}

/** Clipboard HTML → clean editor HTML. */
export function cleanPastedHtml(input: string): string {
  // Clipboard HTML from Windows carries a fragment header and conditional comments.
  const source = input.replace(/<!--\[if[\s\S]*?<!\[endif\]-->/gi, '').replace(/<!\[if !supportLists\]>|<!\[endif\]>/gi, '')
  const doc = new DOMParser().parseFromString(source, 'text/html')
  const body = doc.body
  // comments
  const walker = doc.createTreeWalker(body, NodeFilter.SHOW_COMMENT)
  const comments: Node[] = []
  for (let n = walker.nextNode(); n; n = walker.nextNode()) comments.push(n)
  for (const c of comments) c.parentNode?.removeChild(c)
  for (const el of Array.from(body.querySelectorAll(DROP))) {
    if (el.localName === 'img') {
      const alt = el.getAttribute('alt')
      el.replaceWith(alt ? doc.createTextNode(alt) : '')
    } else el.remove()
  }
  for (const el of Array.from(body.querySelectorAll('*'))) if (isHidden(el) && !/mso-list\s*:\s*ignore/i.test(el.getAttribute('style') ?? '')) el.remove()
  rebuildWordLists(body)
  for (const el of Array.from(body.querySelectorAll('[style*="mso-list"]'))) {
    if (/mso-list\s*:\s*ignore/i.test(el.getAttribute('style') ?? '')) el.remove()
  }
  for (const child of Array.from(body.children)) cleanElement(child)
  // Word's empty paragraphs (&nbsp;) and runs of <br>
  for (const p of Array.from(body.querySelectorAll('p'))) {
    if (!p.textContent?.replace(/\u00a0/g, ' ').trim() && !p.querySelector('br,table')) p.remove()
  }
  return body.innerHTML
    .replace(/\u00a0/g, ' ')
    .replace(/(?:<br>\s*){3,}/g, '<br><br>')
    .trim()
}

/** Plain text → paragraphs, for the plain-text flavour of a paste. */
export function textToHtml(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((para) => `<p>${escapeHtml(para).replace(/\n/g, '<br>')}</p>`)
    .join('')
}
