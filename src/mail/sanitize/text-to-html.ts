// Plain text → HTML: paragraphs, line breaks, runs of spaces and bare links kept.
import { escapeHtml } from '../../domain/escape.js'
import { LINK_REL } from './url-policy.js'

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
