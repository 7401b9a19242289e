// Options of the citizen intake (Sportello On-line form and the SottoControllo app's Open311 API), their
// defaults and their validation at registration.
import { createHash } from 'node:crypto'
import { isRequestType, type RequestType } from '../domain/arera.js'
import type { Label } from '../domain/arera.js'
import { OptionsError } from '../options.js'

/** A request type offered to citizens, optionally with the operator's own wording. */
export type IntakeTypeOption = RequestType | { type: RequestType; label?: string | Partial<Label> }

export interface IntakeApiKey {
  key: string
  /** Who uses the key (shown in the audit log), e.g. "App SottoControllo". */
  name?: string
  /** POSTs this key may make per `rateLimitWindowMinutes` (requests and updates, JSON and XML together). Default `perKeyLimit`. */
  limit?: number
}

export interface IntakeOptions {
  /** The request types the form and the app offer, in this order. Default: the seven of the Sportello On-line. */
  types?: IntakeTypeOption[]
  /** Open311 `api_key` values accepted by POST requests. Default: none (the app API refuses every request). */
  apiKeys?: Array<string | IntakeApiKey>
  /** Seconds a person needs at least to fill the form (bots are faster). Default 3. */
  minFillSeconds?: number
  /** How long a form stays valid after it was served, in hours. Default 24. */
  formValidityHours?: number
  /** Largest photo or document, in bytes. Default 10 MB. */
  maxFileBytes?: number
  /** Files per submission. Default 5. */
  maxFiles?: number
  /** All files of a submission together, in bytes. Default 25 MB. */
  maxTotalBytes?: number
  /** Submissions of the web form per client IP address in `rateLimitWindowMinutes`. Default 10. */
  perIpLimit?: number
  /** Open311 POSTs per api_key in `rateLimitWindowMinutes`, unless the key sets its own `limit`. Default 100. */
  perKeyLimit?: number
  /** Default 15. */
  rateLimitWindowMinutes?: number
  /** Submissions per email address per hour (web and app together). Default 5. */
  perEmailPerHour?: number
  /** The full privacy notice (GDPR art. 13) on the operator's site, linked from the form. */
  privacyUrl?: string
  /** Who may show the form in an iframe (CSP frame-ancestors). Default `*`: any site may embed it. */
  frameAncestors?: string[]
}

export interface ResolvedIntakeType {
  type: RequestType
  label: Partial<Label>
}

export interface ResolvedIntakeOptions {
  types: ResolvedIntakeType[]
  /** sha256 of each key → its name: keys are compared as hashes, in constant time per candidate. */
  apiKeys: Array<{ hash: Buffer; name: string; limit: number }>
  minFillSeconds: number
  formValidityHours: number
  maxFileBytes: number
  maxFiles: number
  maxTotalBytes: number
  perIpLimit: number
  perKeyLimit: number
  rateLimitWindowMinutes: number
  perEmailPerHour: number
  privacyUrl: string | null
  frameAncestors: string[]
}

const DEFAULT_INTAKE_TYPES: readonly RequestType[] = [
  'segnalazione_disservizio',
  'reclamo_scritto',
  'richiesta_informazioni',
  'rettifica_importi',
  'ritiro_su_chiamata',
  'riparazione_attrezzature',
  'altro'
]

export const hashApiKey = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest()

function positiveInteger(value: unknown, option: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw new OptionsError(option, `must be an integer >= ${min}`)
  return value
}

export function resolveIntakeOptions(input: IntakeOptions | undefined): ResolvedIntakeOptions {
  const opts = input ?? {}
  if (typeof opts !== 'object') throw new OptionsError('intake', 'must be an object')
  const rawTypes = opts.types ?? [...DEFAULT_INTAKE_TYPES]
  if (!Array.isArray(rawTypes) || rawTypes.length === 0) throw new OptionsError('intake.types', 'must list at least one request type')
  const types: ResolvedIntakeType[] = []
  for (const [i, entry] of rawTypes.entries()) {
    const type = typeof entry === 'string' ? entry : entry?.type
    if (!isRequestType(type)) throw new OptionsError(`intake.types[${i}]`, `is not a request type: ${JSON.stringify(type)}`)
    if (types.some((t) => t.type === type)) throw new OptionsError(`intake.types[${i}]`, `lists "${type}" twice`)
    const label = typeof entry === 'string' ? undefined : entry.label
    types.push({ type, label: typeof label === 'string' ? { it: label, en: label } : { ...(label ?? {}) } })
  }
  const perKeyLimit = positiveInteger(opts.perKeyLimit, 'intake.perKeyLimit', 100)
  const apiKeys = (opts.apiKeys ?? []).map((entry, i) => {
    const key = typeof entry === 'string' ? entry : entry?.key
    if (typeof key !== 'string' || key.length < 8) throw new OptionsError(`intake.apiKeys[${i}]`, 'must be a key of at least 8 characters')
    const limit = positiveInteger(typeof entry === 'string' ? undefined : entry.limit, `intake.apiKeys[${i}].limit`, perKeyLimit)
    return { hash: hashApiKey(key), name: (typeof entry === 'string' ? undefined : entry.name) ?? `app ${i + 1}`, limit }
  })
  if (opts.privacyUrl !== undefined && (typeof opts.privacyUrl !== 'string' || !/^https?:\/\/\S+$|^\/\S*$/.test(opts.privacyUrl))) {
    throw new OptionsError('intake.privacyUrl', 'must be an http(s) URL or a path starting with "/"')
  }
  const frameAncestors = opts.frameAncestors ?? ['*']
  if (!Array.isArray(frameAncestors) || frameAncestors.some((s) => typeof s !== 'string' || !/^[^\s;,]+$/.test(s))) {
    throw new OptionsError('intake.frameAncestors', 'must be a list of CSP sources such as "https://www.comune.example.it" or "\'self\'"')
  }
  const minFill = opts.minFillSeconds ?? 3
  if (typeof minFill !== 'number' || !Number.isFinite(minFill) || minFill < 0)
    throw new OptionsError('intake.minFillSeconds', 'must be a number of seconds >= 0')
  return {
    types,
    apiKeys,
    minFillSeconds: minFill,
    formValidityHours: positiveInteger(opts.formValidityHours, 'intake.formValidityHours', 24),
    maxFileBytes: positiveInteger(opts.maxFileBytes, 'intake.maxFileBytes', 10 * 1024 * 1024),
    maxFiles: positiveInteger(opts.maxFiles, 'intake.maxFiles', 5, 0),
    maxTotalBytes: positiveInteger(opts.maxTotalBytes, 'intake.maxTotalBytes', 25 * 1024 * 1024),
    perIpLimit: positiveInteger(opts.perIpLimit, 'intake.perIpLimit', 10),
    perKeyLimit,
    rateLimitWindowMinutes: positiveInteger(opts.rateLimitWindowMinutes, 'intake.rateLimitWindowMinutes', 15),
    perEmailPerHour: positiveInteger(opts.perEmailPerHour, 'intake.perEmailPerHour', 5),
    privacyUrl: opts.privacyUrl ?? null,
    frameAncestors
  }
}
