// Errors that carry an HTTP status, a stable code (an i18n key), its parameters and, for bad input, what is wrong
// with which field. The text is written only when the error is answered, in the caller's language (src/routes/errors.ts).
import type { FieldRule, MessageKey } from './i18n.js'

/** One thing wrong with one input field: a stable rule code and its parameters, translated when answered. */
export interface FieldProblem {
  /** The field as the caller named it: `html`, `to.0`, `ids`; the request part (`body`, `query`) for the whole. */
  field: string
  rule: FieldRule
  params?: Record<string, string | number>
}

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly key: MessageKey,
    readonly params: Record<string, string | number> = {},
    /** Field errors already written for the citizen (the intake form's checks, in the request's language). */
    readonly fields?: Record<string, string>,
    /** Field errors to translate when answered (schema validation, hand-checked fields). */
    readonly problems?: readonly FieldProblem[],
    /** Fields this error is about: each is answered with the error's own message. */
    readonly fieldNames?: readonly string[]
  ) {
    super(key)
    this.name = 'HttpError'
  }
}

/** An error about one field (`emptyBody` on `html`): `fields.html` carries the same message, in the caller's language. */
export const fieldError = (statusCode: number, key: MessageKey, params: Record<string, string | number>, field: string) =>
  new HttpError(statusCode, key, params, undefined, undefined, [field])

export const notFound = (key: MessageKey, params: Record<string, string | number>) => new HttpError(404, key, params)

/** 400 `invalidRequest` for one or more field problems; the message names each field in the caller's language. */
const invalidInput = (...problems: FieldProblem[]) => new HttpError(400, 'invalidRequest', {}, undefined, problems)
export const invalidField = (field: string, rule: FieldRule, params?: Record<string, string | number>) => invalidInput({ field, rule, params })

/** Parses a route id parameter; a clear 400 rather than a database error for `abc` or `-1`. */
export function parseId(value: unknown): number {
  const text = String(value ?? '')
  if (!/^\d{1,15}$/.test(text) || Number(text) < 1) throw new HttpError(400, 'invalidId', { value: text.slice(0, 40) })
  return Number(text)
}
