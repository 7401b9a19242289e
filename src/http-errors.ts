// Errors that carry an HTTP status and a translatable, human message.
import type { MessageKey } from './i18n.js'

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly key: MessageKey,
    readonly params: Record<string, string | number> = {},
    /** Machine-readable field errors, e.g. `{ email: 'Indirizzo non valido' }`. */
    readonly fields?: Record<string, string>
  ) {
    super(key)
    this.name = 'HttpError'
  }
}

export const notFound = (key: MessageKey, params: Record<string, string | number>) => new HttpError(404, key, params)
export const badRequest = (detail: string, fields?: Record<string, string>) => new HttpError(400, 'invalidRequest', { detail }, fields)

/** Parses a route id parameter; a clear 400 rather than a database error for `abc` or `-1`. */
export function parseId(value: unknown): number {
  const text = String(value ?? '')
  if (!/^\d{1,15}$/.test(text) || Number(text) < 1) throw new HttpError(400, 'invalidId', { value: text.slice(0, 40) })
  return Number(text)
}
