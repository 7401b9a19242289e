// What full-text search indexes and how a hit is shown, the same for every database engine: accents and case are
// folded here (not by PostgreSQL's unaccent, which an application user often may not install), the query is parsed
// here, and the snippet is built here from the stored text, so SQLite, PostgreSQL and SQL Server answer alike.
import { escapeHtml } from './escape.js'

/** The shortest search text accepted (after trimming). */
export const MIN_QUERY_LENGTH = 2
const MAX_TERMS = 8
/** Bodies are indexed up to this many characters (a pasted log or a forwarded thread adds little past it). */
const MAX_BODY = 100_000
const SNIPPET_CONTEXT = 60
const SNIPPET_LENGTH = 200

/** How the engine matched, which decides what the snippet marks. */
export type MatchMode = 'token' | 'stem' | 'substring'

export interface SearchTerm {
  /** Folded (lowercase, no accents); may hold punctuation (an address, a file name). */
  text: string
  /** `term*`: any word starting with it. */
  prefix: boolean
}

export interface SearchSource {
  subject: string | null
  from: string | null
  fromName: string | null
  text: string | null
  html: string | null
  attachmentNames: readonly string[]
}

const SPECIAL: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' }

function foldChar(c: string): string {
  const lower = c.toLowerCase()
  return SPECIAL[lower] ?? lower.normalize('NFD').replace(/\p{M}+/gu, '')
}

/** Lowercase, accents removed: "Città" → "citta". */
function foldForSearch(value: string): string {
  let out = ''
  for (const c of value) out += foldChar(c)
  return out
}

/** An address or a file name also as its separate words, so "rossi" finds mario.rossi@… on every engine. */
const withParts = (value: string) => {
  const folded = foldForSearch(value)
  const parts = folded.replace(/[^\p{L}\p{N}]+/gu, ' ').trim()
  return parts === folded ? folded : `${folded} ${parts}`
}

/** Visible text of stored HTML, for messages that have no text part. */
function htmlToPlain(html: string): string {
  return html
    .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
}

const bodyOf = (s: Pick<SearchSource, 'text' | 'html'>): string => s.text ?? (s.html ? htmlToPlain(s.html) : '')

/** The module's acknowledgements are not indexed: they repeat the citizen's own words, and every hit would show twice. */
export const isIndexed = (meta: Record<string, unknown> | null | undefined) => meta?.kind !== 'confirmation'

/** The folded text the engines index for one message: subject, sender, body, attachment names. Empty: nothing to index. */
export function searchDocument(s: SearchSource): string {
  const lines = [
    s.subject ? foldForSearch(s.subject) : '',
    [s.fromName ? foldForSearch(s.fromName) : '', s.from ? withParts(s.from) : ''].filter(Boolean).join(' '),
    foldForSearch(bodyOf(s).slice(0, MAX_BODY)),
    ...s.attachmentNames.map(withParts)
  ]
  // angle brackets off: PostgreSQL's parser would skip "<b>" in a text body as a tag, the other engines would not
  return lines
    .map((l) => l.replace(/[<>]/g, ' ').replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .join('\n')
}

/** The line a newly stored attachment adds to its message's document. */
export const attachmentLine = (filename: string) => withParts(filename)

/** Words of the search text (folded), at most MAX_TERMS; `word*` asks for a prefix. Punctuation-only words are dropped. */
export function parseSearchQuery(q: string): SearchTerm[] {
  const terms: SearchTerm[] = []
  for (const raw of q.split(/\s+/)) {
    const prefix = raw.endsWith('*')
    const text = foldForSearch(raw.replace(/["*]/g, '')).replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '')
    if (text && !terms.some((t) => t.text === text && t.prefix === prefix)) terms.push({ text, prefix })
    if (terms.length === MAX_TERMS) break
  }
  return terms
}

/** A rough Italian stem for highlighting what a stemming engine matched: final vowels off ("reclami" ~ "reclamo"). */
const lightStem = (word: string) => (word.length > 3 ? word.replace(/[aeiouy]+$/, '') : word)

interface Span {
  start: number
  end: number
}

/** Folded text and, per folded character, the position in `original` it came from. */
function foldWithMap(original: string): { folded: string; map: number[] } {
  let folded = ''
  const map: number[] = []
  let i = 0
  for (const c of original) {
    const f = foldChar(c)
    for (let k = 0; k < f.length; k++) map.push(i)
    folded += f
    i += c.length
  }
  map.push(i)
  return { folded, map }
}

function findMatches(original: string, terms: readonly SearchTerm[], mode: MatchMode): Span[] {
  const { folded, map } = foldWithMap(original)
  const spans: Span[] = []
  const toOriginal = (start: number, end: number) => ({ start: map[start] ?? 0, end: map[end] ?? original.length })
  for (const term of terms) {
    const single = /^[\p{L}\p{N}]+$/u.test(term.text)
    if (mode === 'substring' || !single) {
      for (let at = folded.indexOf(term.text); at >= 0; at = folded.indexOf(term.text, at + term.text.length)) spans.push(toOriginal(at, at + term.text.length))
      continue
    }
    for (const w of folded.matchAll(/[\p{L}\p{N}]+/gu)) {
      const word = w[0]
      const hit = term.prefix
        ? word.startsWith(term.text)
        : word === term.text || (mode === 'stem' && word.length > 3 && lightStem(word) === lightStem(term.text))
      if (hit) spans.push(toOriginal(w.index, w.index + word.length))
    }
  }
  spans.sort((a, b) => a.start - b.start || b.end - a.end)
  const merged: Span[] = []
  for (const s of spans) {
    const last = merged[merged.length - 1]
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end)
    else merged.push({ ...s })
  }
  return merged
}

/** `text` around its first match, HTML-escaped, matched words in <mark>; null when nothing in it matches. */
function highlight(text: string, terms: readonly SearchTerm[], mode: MatchMode): string | null {
  const clean = text.replace(/\s+/g, ' ').trim()
  const spans = findMatches(clean, terms, mode)
  const first = spans[0]
  if (!first) return null
  let start = Math.max(0, first.start - SNIPPET_CONTEXT)
  if (start > 0) {
    const space = clean.indexOf(' ', start)
    start = space >= 0 && space < first.start ? space + 1 : start
  }
  let end = Math.min(clean.length, start + SNIPPET_LENGTH)
  if (end < first.end) end = first.end
  if (end < clean.length) {
    const space = clean.lastIndexOf(' ', end)
    end = space > first.end ? space : end
  }
  let out = start > 0 ? '…' : ''
  let at = start
  for (const s of spans) {
    if (s.start >= end) break
    if (s.end <= at) continue
    out += escapeHtml(clean.slice(at, Math.max(at, s.start))) + '<mark>' + escapeHtml(clean.slice(Math.max(at, s.start), Math.min(s.end, end))) + '</mark>'
    at = Math.min(s.end, end)
  }
  out += escapeHtml(clean.slice(at, end)) + (end < clean.length ? '…' : '')
  return out
}

/** The snippet of a hit: where the body matches, else the subject, sender or an attachment name; else the body's start. */
export function snippetOf(s: SearchSource, terms: readonly SearchTerm[], mode: MatchMode): string {
  const body = bodyOf(s)
  const candidates = [body, s.subject ?? '', [s.fromName, s.from].filter(Boolean).join(' '), ...s.attachmentNames]
  for (const candidate of candidates) {
    const found = candidate ? highlight(candidate, terms, mode) : null
    if (found !== null) return found
  }
  const clean = body.replace(/\s+/g, ' ').trim()
  return escapeHtml(clean.slice(0, SNIPPET_LENGTH)) + (clean.length > SNIPPET_LENGTH ? '…' : '')
}
