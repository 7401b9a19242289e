// Reads back the text of the PDFs the module writes (pdfkit, standard Helvetica, WinAnsi): every content stream is
// inflated and its TJ/Tj strings decoded, in drawing order. Enough to assert the figures of a one-page report
// without a PDF library; not a general PDF parser.
import { inflateSync } from 'node:zlib'

// WinAnsi is Latin-1 but for 0x80–0x9F (Node's TextDecoder may lack windows-1252 without full ICU).
const WIN_ANSI_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ'
const winAnsi = { decode: (bytes: Buffer) => [...bytes].map((b) => (b >= 0x80 && b <= 0x9f ? WIN_ANSI_HIGH[b - 0x80] : String.fromCharCode(b))).join('') }

function decodeString(token: string): string {
  if (token.startsWith('<')) return winAnsi.decode(Buffer.from(token.slice(1, -1), 'hex'))
  // a literal string: (…) with backslash escapes
  const body = token.slice(1, -1).replace(/\\([nrtbf()\\]|[0-7]{1,3})/g, (_m, e: string) => {
    const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '(': '(', ')': ')', '\\': '\\' }
    return simple[e] ?? String.fromCharCode(parseInt(e, 8))
  })
  return winAnsi.decode(Buffer.from(body, 'latin1'))
}

function contentStreams(pdf: Buffer): string[] {
  const source = pdf.toString('latin1')
  const streams: string[] = []
  const start = /stream\r?\n/g
  for (let m = start.exec(source); m; m = start.exec(source)) {
    const from = m.index + m[0].length
    const to = source.indexOf('endstream', from)
    try {
      streams.push(inflateSync(pdf.subarray(from, to)).toString('latin1'))
    } catch {
      streams.push(source.slice(from, to))
    }
  }
  return streams
}

/** The page's text runs (one per BT … ET) joined by a space, whitespace collapsed. */
export function pdfText(pdf: Buffer): string {
  const runs: string[] = []
  for (const stream of contentStreams(pdf)) {
    for (const block of stream.match(/BT[\s\S]*?ET/g) ?? []) {
      const strings = block.match(/<[0-9a-fA-F]*>|\((?:\\.|[^\\)])*\)/g) ?? []
      runs.push(strings.map(decodeString).join(''))
    }
  }
  return `${runs.join(' ').replace(/\s+/g, ' ').trim()} `
}

/** The number of pages. */
export function pdfPages(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length
}
