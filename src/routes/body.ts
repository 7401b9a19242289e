// Request bodies that come as JSON or as multipart/form-data with files: one shape for the routes either way.
// Files are read part by part as they stream in, and the per-file and per-message limits stop the upload as soon
// as they are crossed (413 with the file's name), before anything is stored.
import type { FastifyRequest } from 'fastify'
import type { Upload } from '../actions/index.js'
import { HttpError, invalidField } from '../http-errors.js'
import { multipartFields, objectBody } from './input-guard.js'
import { cleanFilename } from '../intake/uploads.js'

export interface BodyLimits {
  maxFileBytes: number
  maxTotalBytes: number
  maxFiles: number
}

export interface FormBody {
  fields: Record<string, unknown>
  files: Upload[]
}

const FILE_FIELDS = new Set(['attachments', 'attachments[]', 'files', 'file'])
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes < 1024 * 1024 ? 2 : 1)} MB`

export async function readFormBody(request: FastifyRequest, limits: BodyLimits): Promise<FormBody> {
  if (!request.isMultipart()) {
    const body = request.body
    if (body === undefined) return { fields: {}, files: [] }
    const fields = objectBody(body)
    if (!fields) throw invalidField('body', 'bodyObject')
    return { fields, files: [] }
  }
  const form = multipartFields(request)
  const fields = form.fields
  const files: Upload[] = []
  let total = 0
  try {
    const parts = request.parts({
      limits: { fileSize: limits.maxFileBytes, files: limits.maxFiles, fields: 200, fieldSize: 2 * 1024 * 1024, parts: limits.maxFiles + 200 }
    })
    for await (const part of parts) {
      if (part.type === 'field') {
        form.add(part.fieldname, typeof part.value === 'string' ? part.value : String(part.value ?? ''))
        continue
      }
      const filename = cleanFilename(part.filename ?? '', files.length)
      if (!FILE_FIELDS.has(part.fieldname)) throw invalidField(part.fieldname, 'unknownFile')
      const chunks: Buffer[] = []
      for await (const chunk of part.file) {
        total += (chunk as Buffer).length
        if (part.file.truncated) throw new HttpError(413, 'attachmentTooLarge', { filename, limit: mb(limits.maxFileBytes) })
        if (total > limits.maxTotalBytes)
          throw new HttpError(413, 'outboundTooLarge', { limit: mb(limits.maxTotalBytes), size: `> ${mb(limits.maxTotalBytes)}` })
        chunks.push(chunk as Buffer)
      }
      if (part.file.truncated) throw new HttpError(413, 'attachmentTooLarge', { filename, limit: mb(limits.maxFileBytes) })
      const content = Buffer.concat(chunks)
      if (content.length === 0 && !part.filename) continue // an empty file input
      files.push({ filename, contentType: part.mimetype || 'application/octet-stream', content })
    }
  } catch (err) {
    if (err instanceof HttpError) throw err
    const e = err as { code?: string; message?: string }
    if (e.code === 'FST_FILES_LIMIT' || e.code === 'FST_PARTS_LIMIT') throw new HttpError(413, 'tooManyFiles', { max: limits.maxFiles })
    throw new HttpError(400, 'invalidUpload', { detail: e.message ?? 'formato multipart non valido' })
  }
  return { fields, files }
}

/** A field that may arrive as a string (form), a JSON-encoded array in a string, or a JSON array. */
function values(value: unknown): unknown[] {
  if (value === undefined || value === null) return []
  if (Array.isArray(value)) return value.flatMap(values)
  if (typeof value === 'string') {
    const t = value.trim()
    if (t.startsWith('[')) {
      try {
        return values(JSON.parse(t))
      } catch {
        return [t]
      }
    }
    return t === '' ? [] : [t]
  }
  return [value]
}

export function stringField(fields: Record<string, unknown>, name: string, required = false): string | undefined {
  const value = fields[name]
  const text = Array.isArray(value) ? value.join('') : value
  if (text === undefined || text === null || text === '') {
    if (required) throw invalidField(name, 'required')
    return undefined
  }
  if (typeof text !== 'string') throw invalidField(name, 'type', { type: 'string' })
  return text
}

export function addressField(fields: Record<string, unknown>, name: string): string[] | undefined {
  const list = values(fields[name])
  if (list.some((v) => typeof v !== 'string')) throw invalidField(name, 'addresses')
  return list.length > 0 ? (list as string[]) : undefined
}

export function idsField(fields: Record<string, unknown>, name: string): number[] | undefined {
  const list = values(fields[name]).flatMap((v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [v]
  )
  const ids = list.map((v) => (typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : NaN))
  if (ids.some((n) => !Number.isSafeInteger(n) || n < 1)) throw invalidField(name, 'ids')
  return ids.length > 0 ? ids : undefined
}

export function booleanField(fields: Record<string, unknown>, name: string): boolean | undefined {
  const value = Array.isArray(fields[name]) ? (fields[name] as unknown[]).at(-1) : fields[name]
  if (value === undefined || value === null || value === '') return undefined
  if (value === true || value === 'true' || value === '1' || value === 'on') return true
  if (value === false || value === 'false' || value === '0' || value === 'off') return false
  throw invalidField(name, 'type', { type: 'boolean' })
}
