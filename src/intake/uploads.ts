// Photos and documents a citizen uploads: read from multipart with hard limits, typed by their first bytes (never
// by the name or the type the browser claims), so an .exe renamed .jpg or an SVG with a script never gets in.
import type { FastifyRequest } from 'fastify'
// the multipart plugin's request decorations (parts, file) are typed by its module augmentation
import type {} from '@fastify/multipart'
import type { Locale } from '../i18n.js'
import { multipartFields } from '../routes/input-guard.js'
import { sha256Hex } from '../storage.js'
import { fieldError } from './texts.js'
import type { RawFields } from './validate.js'

export interface UploadedFile {
  filename: string
  contentType: string
  size: number
  sha256: string
  content: Buffer
}

export interface UploadLimits {
  maxFileBytes: number
  maxFiles: number
  maxTotalBytes: number
}

/** What went wrong with the files: 413 too big or too many, 415 a type we refuse, 400 an empty file. */
export interface UploadProblem {
  status: 400 | 413 | 415
  message: string
}

export interface MultipartContent {
  fields: RawFields
  files: UploadedFile[]
  problem: UploadProblem | null
}

const ZIP = Buffer.from('PK\x03\x04', 'latin1')
const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'heim', 'heis', 'mif1', 'msf1', 'avif'])

/** The type of an accepted file from its magic bytes, or null when we do not accept it. */
export function sniffType(content: Buffer, filename: string): string | null {
  const ascii = (start: number, end: number) => content.subarray(start, end).toString('latin1')
  if (content[0] === 0xff && content[1] === 0xd8 && content[2] === 0xff) return 'image/jpeg'
  if (content.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png'
  if (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a') return 'image/gif'
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp'
  if (ascii(4, 8) === 'ftyp' && HEIF_BRANDS.has(ascii(8, 12))) return ascii(8, 12) === 'avif' ? 'image/avif' : 'image/heic'
  if (ascii(0, 5) === '%PDF-') return 'application/pdf'
  if (content.subarray(0, 4).equals(ZIP)) {
    const lower = filename.toLowerCase()
    // ODF stores its mimetype uncompressed as the first entry; OOXML has a word/ part.
    if (lower.endsWith('.odt') && ascii(30, 38) === 'mimetype' && ascii(38, 77) === 'application/vnd.oasis.opendocument.text')
      return 'application/vnd.oasis.opendocument.text'
    if (lower.endsWith('.docx') && content.includes('word/')) return 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'
  }
  return null
}

/** A file name safe to store and to send back in Content-Disposition: no path, no control characters. */
export function cleanFilename(name: string, index: number): string {
  const base = (name.split(/[\\/]/).pop() ?? '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]+/g, '')
    .replace(/\s+/g, ' ')
    .trim()
  if (!base || base === '.' || base === '..') return `allegato-${index + 1}`
  if (base.length <= 180) return base
  const dot = base.lastIndexOf('.')
  const ext = dot > 0 && base.length - dot <= 10 ? base.slice(dot) : ''
  return base.slice(0, 180 - ext.length) + ext
}

const mb = (bytes: number) => String(Math.round((bytes / 1024 / 1024) * 10) / 10)

/** Checks files already in memory (the same rules as multipart uploads). */
export function checkFiles(
  files: Array<{ filename: string; content: Buffer }>,
  limits: UploadLimits,
  locale: Locale
): { files: UploadedFile[]; problem: UploadProblem | null } {
  const accepted: UploadedFile[] = []
  const problems: UploadProblem[] = []
  let total = 0
  for (const [i, f] of files.entries()) {
    const filename = cleanFilename(f.filename, i)
    if (i >= limits.maxFiles) {
      problems.push({ status: 413, message: fieldError(locale, 'tooManyFiles', { max: limits.maxFiles }) })
      break
    }
    if (f.content.length > limits.maxFileBytes) {
      problems.push({ status: 413, message: fieldError(locale, 'fileTooLarge', { name: filename, max: mb(limits.maxFileBytes) }) })
      continue
    }
    total += f.content.length
    if (total > limits.maxTotalBytes) {
      problems.push({ status: 413, message: fieldError(locale, 'filesTotal', { max: mb(limits.maxTotalBytes) }) })
      break
    }
    if (f.content.length === 0) {
      problems.push({ status: 400, message: fieldError(locale, 'fileEmpty', { name: filename }) })
      continue
    }
    const contentType = sniffType(f.content, filename)
    if (!contentType) {
      problems.push({ status: 415, message: fieldError(locale, 'fileType', { name: filename }) })
      continue
    }
    accepted.push({ filename, contentType, size: f.content.length, sha256: sha256Hex(f.content), content: f.content })
  }
  if (problems.length === 0) return { files: accepted, problem: null }
  // The most serious problem sets the status; the message lists them all.
  const status = problems.some((p) => p.status === 413) ? 413 : problems.some((p) => p.status === 415) ? 415 : 400
  return { files: accepted, problem: { status, message: problems.map((p) => p.message).join('. ') } }
}

/**
 * Reads a multipart body: fields into `fields` (a name repeated only where the route's schema declares a list), files of `fileFields` into memory.
 * A file over the size limit is cut off by the parser and reported, never buffered whole; past the count or the
 * total limit the remaining files are drained unread.
 */
export async function readMultipart(
  request: FastifyRequest,
  fileFields: readonly string[],
  limits: UploadLimits,
  locale: Locale,
  /** Called with the fields read so far before a file is read: throw to refuse the request without reading it. */
  beforeFile?: (fields: RawFields) => void
): Promise<MultipartContent> {
  const form = multipartFields(request)
  const fields: RawFields = form.fields
  const received: Array<{ filename: string; content: Buffer }> = []
  const oversize: string[] = []
  let seen = 0
  let total = 0
  let tooMany = false
  let totalExceeded = false
  const drain = async (stream: AsyncIterable<unknown>) => {
    for await (const chunk of stream) void chunk
  }
  const parts = request.parts({
    limits: { fileSize: limits.maxFileBytes, files: limits.maxFiles + 20, fields: 200, fieldSize: 100_000, parts: 300 },
    throwFileSizeLimit: false
  } as Parameters<FastifyRequest['parts']>[0])
  for await (const part of parts) {
    if (part.type === 'field') {
      form.add(part.fieldname, typeof part.value === 'string' ? part.value : String(part.value ?? ''))
      continue
    }
    // browsers send an empty, nameless part for a file input left empty
    if (!fileFields.includes(part.fieldname) || !part.filename) {
      await drain(part.file)
      continue
    }
    beforeFile?.(fields)
    seen++
    if (seen > limits.maxFiles) tooMany = true
    if (tooMany || totalExceeded) {
      await drain(part.file)
      continue
    }
    const content = await part.toBuffer()
    if (part.file.truncated) {
      oversize.push(cleanFilename(part.filename, seen - 1))
      continue
    }
    total += content.length
    if (total > limits.maxTotalBytes) totalExceeded = true
    else received.push({ filename: part.filename, content })
  }
  const messages: string[] = oversize.map((name) => fieldError(locale, 'fileTooLarge', { name, max: mb(limits.maxFileBytes) }))
  if (tooMany) messages.push(fieldError(locale, 'tooManyFiles', { max: limits.maxFiles }))
  if (totalExceeded) messages.push(fieldError(locale, 'filesTotal', { max: mb(limits.maxTotalBytes) }))
  if (messages.length > 0) return { fields, files: [], problem: { status: 413, message: messages.join('. ') } }
  const checked = checkFiles(received, limits, locale)
  return { fields, files: checked.files, problem: checked.problem }
}
