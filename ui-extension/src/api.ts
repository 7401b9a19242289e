// The module's HTTP API as the tab uses it: the host's session cookie authenticates (same origin), errors carry
// the server's own (Italian or English) message.
import type { Lang } from './i18n.js'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null = null,
    readonly fields: Record<string, string> | null = null
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export interface UploadProgress {
  loaded: number
  total: number
}

/** Scalars and arrays of scalars become form fields (arrays repeated under the same name); files go under `attachments`. */
export type FormFields = Record<string, string | number | boolean | ReadonlyArray<string | number> | null | undefined>

export interface ErrorTexts {
  network: string
  session: string
  unexpected: (status: number) => string
}

export class Api {
  constructor(
    readonly base: string,
    readonly lang: () => Lang,
    private readonly texts: () => ErrorTexts
  ) {}

  url(path: string): string {
    return `${this.base.replace(/\/$/, '')}${path}`
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { accept: 'application/json', 'accept-language': this.lang(), ...extra }
  }

  /** GET with an optional ETag: resolves `null` on 304 (unchanged). */
  async getJson<T>(path: string, etag?: string | null): Promise<{ data: T; etag: string | null } | null> {
    const headers = this.headers(etag ? { 'if-none-match': etag } : {})
    const response = await this.fetch(path, { method: 'GET', headers, cache: 'no-store' })
    if (response.status === 304) return null
    const data = (await this.read(response)) as T
    return { data, etag: response.headers.get('etag') }
  }

  async send<T>(method: 'POST' | 'PUT', path: string, body: unknown): Promise<T> {
    const response = await this.fetch(path, {
      method,
      headers: this.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify(body)
    })
    return (await this.read(response)) as T
  }

  /** A multipart POST through XMLHttpRequest, for its upload progress events. */
  upload<T>(path: string, fields: FormFields, files: File[], onProgress: (p: UploadProgress) => void, fileField = 'attachments'): Promise<T> {
    const form = new FormData()
    for (const [name, value] of Object.entries(fields)) {
      if (value === null || value === undefined) continue
      if (Array.isArray(value)) for (const v of value as ReadonlyArray<string | number>) form.append(name, String(v))
      else form.append(name, String(value))
    }
    for (const file of files) form.append(fileField, file, file.name)
    return new Promise<T>((resolve, reject) => {
      const xhr = new XMLHttpRequest()
      xhr.open('POST', this.url(path))
      xhr.withCredentials = true
      xhr.setRequestHeader('accept', 'application/json')
      xhr.setRequestHeader('accept-language', this.lang())
      xhr.upload.addEventListener('progress', (event) => {
        if (event.lengthComputable) onProgress({ loaded: event.loaded, total: event.total })
      })
      xhr.addEventListener('load', () => {
        let data: unknown
        try {
          data = xhr.responseText ? JSON.parse(xhr.responseText) : null
        } catch {
          data = null
        }
        if (xhr.status >= 200 && xhr.status < 300) resolve(data as T)
        else reject(this.errorFrom(xhr.status, data))
      })
      xhr.addEventListener('error', () => reject(new ApiError(0, this.texts().network)))
      xhr.addEventListener('abort', () => reject(new ApiError(0, this.texts().network)))
      xhr.send(form)
    })
  }

  private async fetch(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(this.url(path), { credentials: 'same-origin', ...init })
    } catch {
      throw new ApiError(0, this.texts().network)
    }
  }

  private async read(response: Response): Promise<unknown> {
    const text = await response.text()
    let data: unknown
    try {
      data = text ? JSON.parse(text) : null
    } catch {
      data = null
    }
    if (!response.ok) throw this.errorFrom(response.status, data)
    return data
  }

  private errorFrom(status: number, data: unknown): ApiError {
    const body = (data && typeof data === 'object' ? data : {}) as { message?: unknown; error?: unknown; fields?: unknown }
    const message = typeof body.message === 'string' && body.message ? body.message : status === 401 ? this.texts().session : this.texts().unexpected(status)
    const fields = body.fields && typeof body.fields === 'object' ? (body.fields as Record<string, string>) : null
    return new ApiError(status, message, typeof body.error === 'string' ? body.error : null, fields)
  }
}
