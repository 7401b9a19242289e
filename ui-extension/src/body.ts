// Message bodies: the server already sanitised the HTML; here it is checked again (defence in depth), the quoted
// history of a reply is split off so it can be collapsed, and the result is wrapped in a document for a sandboxed
// iframe whose Content-Security-Policy forbids every script, every remote resource and every form.
import { escapeHtml } from '../../src/domain/escape.js'

const DROP_ELEMENTS =
  'script,style,link,meta,base,iframe,frame,frameset,object,embed,applet,form,input,button,select,textarea,option,svg,math,template,noscript,audio,video,source,track,canvas,portal,dialog'
const SAFE_LINK = /^(?:https?:\/\/[^/\\\s]|mailto:|tel:)/i
const SAFE_IMAGE = /^(?:\/(?![/\\])|data:image\/(?:png|jpe?g|gif);base64,)/i
const URL_ATTRIBUTES = [
  'href',
  'src',
  'srcset',
  'action',
  'formaction',
  'background',
  'poster',
  'xlink:href',
  'ping',
  'lowsrc',
  'dynsrc',
  'longdesc',
  'cite',
  'data'
]

/** Browsers ignore ASCII tabs/newlines inside URLs and trim controls: judge the URL as the browser will read it. */
function cleanUrl(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '')
}

/** Removes anything that could run or load: a second line of defence behind the server's sanitiser. */
function scrub(root: ParentNode): void {
  for (const el of Array.from(root.querySelectorAll(DROP_ELEMENTS))) el.remove()
  for (const el of Array.from(root.querySelectorAll('*'))) {
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase()
      if (name.startsWith('on') || name === 'srcdoc' || name === 'is' || name === 'id' || name === 'name' || name === 'class') {
        el.removeAttribute(attr.name)
      } else if (URL_ATTRIBUTES.includes(name) && !(el.localName === 'a' && name === 'href') && !(el.localName === 'img' && name === 'src')) {
        el.removeAttribute(attr.name)
      } else if (name === 'style' && /url\s*\(|expression\s*\(|@import|javascript:|behavior\s*:|-moz-binding/i.test(attr.value)) {
        el.removeAttribute(attr.name)
      }
    }
    if (el.localName === 'a') {
      const href = el.getAttribute('href')
      if (href !== null && !SAFE_LINK.test(cleanUrl(href))) el.removeAttribute('href')
      if (el.hasAttribute('href')) {
        el.setAttribute('target', '_blank')
        el.setAttribute('rel', 'noopener noreferrer nofollow')
      }
    } else if (el.localName === 'img') {
      const src = cleanUrl(el.getAttribute('src') ?? '')
      if (!SAFE_IMAGE.test(src)) {
        const alt = el.getAttribute('alt')
        el.replaceWith(alt ? el.ownerDocument.createTextNode(alt) : '')
      }
    }
  }
}

// "Il giorno lun 2 mar 2026 alle ore 10:15 Mario Rossi <…> ha scritto:", "On Mon, … wrote:", "Le … a écrit :"
const ATTRIBUTION = /(?:ha scritto|wrote|a écrit|schrieb|escribió)\s*:?\s*$/i
const ORIGINAL_MESSAGE = /^\s*-{2,}\s*(?:original message|messaggio originale|messaggio inoltrato|forwarded message|mensaje original)\s*-{0,}/i
const OUTLOOK_HEADER = /^\s*(?:da|from|de|von)\s*:[^\n]{1,300}?\b(?:inviato|sent|data|date|envoyé|gesendet)\s*:/is

function textOf(node: Node | null | undefined): string {
  return (node?.textContent ?? '').replace(/\s+/g, ' ').trim()
}

function hasContent(node: Node): boolean {
  if (textOf(node) !== '') return true
  return node instanceof Element ? node.querySelector('img') !== null : false
}

/** The element where the quoted history starts, or null. */
function findQuoteStart(body: HTMLElement): { start: Element; kind: 'blockquote' | 'header' } | null {
  const walker = body.ownerDocument.createTreeWalker(body, NodeFilter.SHOW_ELEMENT)
  for (let node = walker.nextNode() as Element | null; node; node = walker.nextNode() as Element | null) {
    if (node.localName === 'blockquote') {
      // include the attribution line just before the quote ("… ha scritto:")
      let previous = node.previousElementSibling
      let start: Element = node
      if (previous && previous.localName === 'br') previous = previous.previousElementSibling
      if (previous && ATTRIBUTION.test(textOf(previous)) && textOf(previous).length < 400) start = previous
      else if (
        !previous &&
        node.parentElement &&
        node.parentElement !== body &&
        ATTRIBUTION.test(textOf(node.parentElement).slice(0, Math.max(0, textOf(node.parentElement).length - textOf(node).length)))
      ) {
        start = node.parentElement
      }
      return { start, kind: 'blockquote' }
    }
    if ((node.localName === 'p' || node.localName === 'div') && !node.querySelector('div,p,table,blockquote,ul,ol') && node.querySelector('br')) {
      // text turned into HTML (mailparser's textAsHtml): "… ha scritto:<br>&gt; …" inside one paragraph
      const start = splitParagraphAtQuote(node)
      if (start) return { start, kind: 'header' }
    }
    if (/^(?:div|p|hr)$/.test(node.localName)) {
      const text = textOf(node)
      if (
        node.localName === 'hr' ||
        (text.length < 1500 && (ORIGINAL_MESSAGE.test(text) || (OUTLOOK_HEADER.test(text) && !node.querySelector('div,p,table'))))
      ) {
        if (node.localName === 'hr') {
          const next = node.nextElementSibling
          if (!next || !(ORIGINAL_MESSAGE.test(textOf(next)) || OUTLOOK_HEADER.test(textOf(next)))) continue
        }
        // Outlook wraps the header block in a bordered div: start there when it only holds the header
        const parent = node.parentElement
        const start = parent && parent !== body && parent.localName === 'div' && parent.children.length === 1 ? parent : node
        return { start, kind: 'header' }
      }
    }
  }
  return null
}

/** The lines of a paragraph with `<br>` breaks. */
function paragraphLines(el: Element): string[] {
  const lines = ['']
  for (const child of Array.from(el.childNodes)) {
    if (child.nodeName === 'BR') lines.push('')
    else lines[lines.length - 1] += child.textContent ?? ''
  }
  return lines
}

/** Where a quote starts inside a paragraph of lines: the paragraph itself, or a new one split off at that line. */
function splitParagraphAtQuote(el: Element): Element | null {
  const at = findQuoteLine(paragraphLines(el))
  if (at < 0) return null
  if (at === 0) return el
  const rest = el.ownerDocument.createElement(el.localName)
  let line = 0
  for (const child of Array.from(el.childNodes)) {
    if (line >= at) rest.append(child)
    else if (child.nodeName === 'BR') {
      line++
      if (line >= at) child.remove()
    }
  }
  el.after(rest)
  return rest
}

export interface SplitBody {
  main: string
  quoted: string | null
}

/** Splits sanitised HTML into what the sender wrote and the trailing quoted history. */
export function splitHtml(html: string): SplitBody {
  const doc = new DOMParser().parseFromString(`<!doctype html><body>${html}`, 'text/html')
  scrub(doc.body)
  const full = doc.body.innerHTML
  const found = findQuoteStart(doc.body)
  if (!found) return { main: full, quoted: null }
  const range = doc.createRange()
  range.setStartBefore(found.start)
  range.setEndAfter(doc.body.lastChild as Node)
  const quotedFragment = range.cloneContents()
  // Interleaved answers ("see below") are not history: a blockquote followed by much unquoted text stays open.
  if (found.kind === 'blockquote') {
    const probe = doc.createElement('div')
    probe.append(quotedFragment.cloneNode(true))
    for (const q of Array.from(probe.querySelectorAll('blockquote'))) q.remove()
    if (textOf(probe).length > 300) return { main: full, quoted: null }
  }
  range.deleteContents()
  if (!hasContent(doc.body)) {
    // the whole message is a quote: nothing to collapse
    return { main: full, quoted: null }
  }
  const holder = doc.createElement('div')
  holder.append(quotedFragment)
  scrub(holder)
  return { main: doc.body.innerHTML, quoted: holder.innerHTML }
}

/** The line where a plain-text quote starts ("… wrote:", "-----Original Message-----", "Da:/Inviato:", a final "> " run), or -1. */
function findQuoteLine(lines: readonly string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    if (ORIGINAL_MESSAGE.test(line) || (ATTRIBUTION.test(line) && (lines[i + 1]?.trimStart().startsWith('>') || lines[i + 2]?.trimStart().startsWith('>'))))
      return i
    if (/^\s*(?:da|from)\s*:/i.test(line) && lines.slice(i + 1, i + 5).some((l) => /^\s*(?:inviato|sent|data|date)\s*:/i.test(l))) return i
    if (line.trimStart().startsWith('>') && lines.slice(i).every((l) => l.trimStart().startsWith('>') || l.trim() === '')) return i
  }
  return -1
}

/** The same for plain-text bodies. */
export function splitText(text: string): { main: string; quoted: string | null } {
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  const start = findQuoteLine(lines)
  if (start <= 0) return { main: text, quoted: null }
  const main = lines.slice(0, start).join('\n').replace(/\s+$/, '')
  if (main.trim() === '') return { main: text, quoted: null }
  return { main, quoted: lines.slice(start).join('\n') }
}

const BODY_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"

const FRAME_STYLE = `
html,body{margin:0;padding:0;background:transparent}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;overflow-wrap:anywhere;padding:2px 2px 4px}
img{max-width:100%;height:auto}
table{max-width:100%;border-collapse:collapse}
a{color:#0b4f8a}
blockquote{margin:.5em 0;padding:0 0 0 .8em;border-left:3px solid #9aa5b1;color:#3d4852}
pre{white-space:pre-wrap}
p{margin:0 0 .6em}
body>:last-child{margin-bottom:0}
`

/** The document shown in the sandboxed iframe. */
export function frameDocument(bodyHtml: string, lang: string): string {
  return (
    `<!doctype html><html lang="${escapeHtml(lang)}"><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(BODY_CSP)}">` +
    `<meta name="referrer" content="no-referrer"><base target="_blank"><style>${FRAME_STYLE}</style></head>` +
    `<body>${bodyHtml}</body></html>`
  )
}
