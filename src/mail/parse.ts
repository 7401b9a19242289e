// Step 1 of the ingest pipeline: stream-parse a raw RFC 822 message into what the later steps need.
// mailparser's streaming MailParser (not simpleParser) so attachments are consumed one at a time, and
// `ignoreEmbedded` so a message/rfc822 part (a PEC postacert.eml, a forwarded mail) stays one attachment
// instead of being merged into the outer message.
import { Readable } from 'node:stream'
import { MailParser, type AddressObject, type AttachmentStream, type HeaderValue, type Headers, type MessageText } from 'mailparser'
import { decodeHeaderValue, rawHeader } from './header-decode.js'
import { normaliseMessageId, parseMessageIdList } from './message-id.js'

export interface MailAddress {
  address: string
  name: string
}

export interface ParsedAttachment {
  filename: string
  contentType: string
  size: number
  sha256: string
  contentId: string | null
  /** Shown inside the HTML body (cid: image) rather than listed as a file. */
  inline: boolean
  content: Buffer
}

export interface ParsedMail {
  headers: Headers
  messageId: string | null
  inReplyTo: string | null
  references: string[]
  from: MailAddress | null
  replyTo: MailAddress[]
  to: MailAddress[]
  cc: MailAddress[]
  subject: string | null
  date: Date | null
  html: string | null
  text: string | null
  /** Top-level content type, e.g. `multipart/report`, with its parameters. */
  contentType: { value: string; params: Record<string, string> }
  attachments: ParsedAttachment[]
  /** Headers whose charset had to be guessed, as they arrived (latin1-read bytes): kept for the record. */
  rawHeaders: Record<string, string> | null
}

export class MailParseError extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown
  ) {
    super(message)
    this.name = 'MailParseError'
  }
}

/** The first value of a header as a string ('' when absent); address and structured headers are flattened. */
export function headerText(headers: Headers, name: string): string {
  const value: HeaderValue | undefined = headers.get(name.toLowerCase())
  if (value === undefined || value === null) return ''
  if (typeof value === 'string') return value
  if (value instanceof Date) return value.toISOString()
  if (Array.isArray(value)) {
    const first = value[0] as HeaderValue | undefined
    return first === undefined
      ? ''
      : typeof first === 'string'
        ? first
        : ((first as { text?: string; value?: string }).text ?? String((first as { value?: unknown }).value ?? ''))
  }
  if (typeof value === 'object' && 'text' in value && typeof value.text === 'string') return value.text
  if (typeof value === 'object' && 'value' in value && typeof value.value === 'string') return value.value
  return ''
}

function addresses(value: HeaderValue | undefined): MailAddress[] {
  if (!value) return []
  const objects = (Array.isArray(value) ? value : [value]) as AddressObject[]
  const out: MailAddress[] = []
  for (const obj of objects) {
    for (const entry of obj?.value ?? []) {
      for (const member of entry.group ?? [entry]) {
        if (member.address) out.push({ address: member.address.trim().toLowerCase(), name: member.name ?? '' })
      }
    }
  }
  return out
}

const EXTENSIONS: Record<string, string> = {
  'message/rfc822': 'eml',
  'application/pdf': 'pdf',
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'text/plain': 'txt',
  'text/html': 'html',
  'application/xml': 'xml',
  'text/xml': 'xml',
  'message/delivery-status': 'txt',
  'text/rfc822-headers': 'txt'
}

function attachmentName(a: AttachmentStream, index: number): string {
  // control characters and path separators never reach a download's file name
  // eslint-disable-next-line no-control-regex
  const raw = (a.filename ?? '').replace(/[\u0000-\u001f\\/]+/g, '_').trim()
  if (raw) return raw.slice(0, 250)
  const ext =
    EXTENSIONS[a.contentType] ??
    a.contentType
      .split('/')[1]
      ?.replace(/[^a-z0-9]/gi, '')
      .slice(0, 8) ??
    'bin'
  return a.contentType === 'message/rfc822' ? `messaggio-${index + 1}.eml` : `allegato-${index + 1}.${ext}`
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** mailparser's view of a MIME part while it builds its tree (internal API, see FileAwareMailParser). */
interface ParserNode {
  isAttachment?: boolean
  node: { root?: boolean; filename?: unknown; parentNode?: { contentType?: string } }
}

/**
 * mailparser glues every inline text part into the body; a text part that carries a file name
 * (`Content-Disposition: inline; filename=x.txt`) is a file the sender attached, and stays one.
 */
class FileAwareMailParser extends MailParser {}
const baseCreateNode = (MailParser.prototype as unknown as { createNode(node: unknown): ParserNode }).createNode
Object.defineProperty(FileAwareMailParser.prototype, 'createNode', {
  value(this: MailParser, node: unknown): ParserNode {
    const created = baseCreateNode.call(this, node)
    const part = created.node
    const named = typeof part.filename === 'string' && part.filename.trim() !== ''
    if (created.isAttachment === false && !part.root && named && part.parentNode?.contentType !== 'multipart/alternative') created.isAttachment = true
    return created
  }
})

const HEAD_BYTES = 256 * 1024

/** Parses a raw message from a Buffer or a stream (e.g. a spool file). Throws MailParseError on malformed input. */
export async function parseMail(source: Buffer | Readable): Promise<ParsedMail> {
  const parser = new FileAwareMailParser({
    ignoreEmbedded: true,
    keepDeliveryStatus: true,
    checksumAlgo: 'sha256',
    skipTextToHtml: true,
    skipImageLinks: true,
    maxHtmlLengthToParse: 2_000_000
  })
  let headers: Headers = new Map()
  const attachments: ParsedAttachment[] = []
  // the bytes of each part are read as they stream; the parser may end before the last read does (a lone
  // non-text part at the root), so the result waits for every read
  const reads: Promise<void>[] = []
  let text: MessageText | null = null
  const head: Buffer[] = []
  let headLength = 0

  const done = new Promise<void>((resolve, reject) => {
    parser.on('headers', (h: Headers) => {
      headers = h
    })
    parser.on('data', (data: AttachmentStream | MessageText) => {
      if (data.type === 'text') {
        text = data
        return
      }
      const index = attachments.length
      attachments.push(undefined as unknown as ParsedAttachment)
      const read = readAll(data.content).then((content) => {
        attachments[index] = {
          filename: attachmentName(data, index),
          contentType: data.contentType || 'application/octet-stream',
          size: content.length,
          sha256: data.checksum ?? '',
          contentId: data.cid ?? null,
          inline: Boolean(data.related && data.cid),
          content
        }
        data.release?.()
      })
      reads.push(read)
      read.catch(reject)
    })
    parser.on('error', (err: Error) => reject(new MailParseError(`Messaggio non interpretabile: ${err.message}`, err)))
    parser.on('end', () => resolve())
  })
  const input = Buffer.isBuffer(source) ? Readable.from([source]) : source
  input.on('error', (err) => parser.destroy(err))
  input.on('data', (chunk: Buffer) => {
    if (headLength >= HEAD_BYTES) return
    head.push(chunk)
    headLength += chunk.length
  })
  input.pipe(parser)
  await done
  await Promise.all(reads)
  const decoded = decodeRawHeaders(Buffer.concat(head).subarray(0, HEAD_BYTES))

  const finalText = text as MessageText | null
  const rawMessageId = headerText(headers, 'message-id')
  const inReplyTo = parseMessageIdList(headerText(headers, 'in-reply-to'))[0] ?? null
  const refsValue = headers.get('references')
  const references = parseMessageIdList(Array.isArray(refsValue) ? (refsValue as string[]) : typeof refsValue === 'string' ? refsValue : '')
  const ct = headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined
  const date = headers.get('date')
  return {
    headers,
    messageId: rawMessageId ? normaliseMessageId(rawMessageId) : null,
    inReplyTo,
    references,
    from: withDecodedName(addresses(headers.get('from'))[0] ?? null, decoded.fromName),
    replyTo: addresses(headers.get('reply-to')),
    to: addresses(headers.get('to')),
    cc: addresses(headers.get('cc')),
    subject: (decoded.subject ?? headerText(headers, 'subject')) || null,
    date: date instanceof Date && !Number.isNaN(date.getTime()) ? date : null,
    html: finalText?.html ?? null,
    text: finalText?.text ?? null,
    contentType: { value: (ct?.value ?? 'text/plain').toLowerCase(), params: ct?.params ?? {} },
    attachments: attachments.filter(Boolean),
    rawHeaders: decoded.raw
  }
}

interface RawHeaderDecoding {
  subject: string | null
  fromName: string | null
  raw: Record<string, string> | null
}

/** Subject and sender name decoded from the bytes (mailparser reads raw 8-bit header bytes as UTF-8). */
function decodeRawHeaders(head: Buffer): RawHeaderDecoding {
  const raw: Record<string, string> = {}
  const subjectBytes = rawHeader(head, 'subject')
  const subject = subjectBytes ? decodeHeaderValue(subjectBytes) : null
  if (subject?.guessed && subjectBytes) raw.subject = subjectBytes.toString('latin1')
  const fromBytes = rawHeader(head, 'from')
  // the display name is what precedes `<`: encoded-words never contain one
  const nameBytes = fromBytes
    ? /^(.*?)<[^<>]*>\s*$/s
        .exec(fromBytes.toString('latin1'))?.[1]
        ?.trim()
        .replace(/^"(.*)"$/s, '$1')
    : undefined
  const fromName = nameBytes ? decodeHeaderValue(Buffer.from(nameBytes, 'latin1')) : null
  if (fromName?.guessed && fromBytes) raw.from = fromBytes.toString('latin1')
  return { subject: subject?.text ?? null, fromName: fromName?.text ?? null, raw: Object.keys(raw).length ? raw : null }
}

function withDecodedName(address: MailAddress | null, name: string | null): MailAddress | null {
  return address && name ? { ...address, name } : address
}
