// A multipart/form-data body as browsers send it, for app.inject(): text fields and files.
import { randomBytes } from 'node:crypto'

export interface FilePart {
  field?: string
  filename: string
  contentType: string
  content: Buffer
}

export function multipartBody(fields: Record<string, string | string[]>, files: FilePart[] = []): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----trcTestBoundary${randomBytes(8).toString('hex')}`
  const chunks: Buffer[] = []
  for (const [name, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${v}\r\n`))
    }
  }
  for (const f of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${f.field ?? 'attachments'}"; filename="${f.filename}"\r\nContent-Type: ${f.contentType}\r\n\r\n`
      )
    )
    chunks.push(f.content, Buffer.from('\r\n'))
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}
