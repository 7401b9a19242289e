// JSON schemas of the ARERA routes added for issue 13 (second clock, territories, standards, yearly
// communication). Response objects allow additional properties so a field added to the service is never silently
// dropped by the serializer; the documented ones are listed.
import { errorSchema } from './errors.js'

const str = { type: 'string' } as const
const strN = { type: ['string', 'null'] } as const
const intN = { type: ['integer', 'null'] } as const
const numN = { type: ['number', 'null'] } as const
const boolN = { type: ['boolean', 'null'] } as const
const label = { type: 'object', properties: { it: str, en: str }, additionalProperties: true } as const

/** The module's one error shape (code, params, message in the caller's language). */
export { errorSchema }

/** 200 plus the error shapes every ARERA route may answer with. */
export function responses(ok: object, ...codes: number[]): Record<string, object> {
  return Object.fromEntries([['200', ok], ...[400, 401, 403, ...codes].map((c) => [String(c), errorSchema])])
}

export const idParams = {
  type: 'object',
  properties: { id: { type: 'string', pattern: '^[0-9]{1,12}$' } },
  required: ['id'],
  additionalProperties: false
} as const

const serviceClock = {
  type: ['object', 'null'],
  properties: {
    type: str,
    typeLabel: str,
    inspection: { type: 'boolean' },
    article: strN,
    standardWorkingDays: intN,
    startedAt: str,
    dueDate: strN,
    doneAt: strN,
    daysLeft: intN,
    workingDaysTaken: { type: 'integer' },
    clockState: str,
    standardMet: boolN,
    missCause: strN,
    confirmedAt: strN,
    confirmedBy: strN
  },
  additionalProperties: true
} as const

export const clockFieldsSchema = {
  type: 'object',
  properties: {
    type: strN,
    typeLabel: strN,
    suggestedType: strN,
    typeConfirmed: { type: 'boolean' },
    typeConfirmedAt: strN,
    typeConfirmedBy: strN,
    service: strN,
    standardWorkingDays: intN,
    dueDate: strN,
    extendedDueDate: strN,
    daysLeft: intN,
    workingDaysTaken: { type: 'integer' },
    suspendedWorkingDays: { type: 'integer' },
    clockState: str,
    standardMet: boolN,
    missCause: strN,
    clockEvents: { type: 'array', items: { type: 'object', additionalProperties: true } },
    territory: strN,
    territoryName: str,
    noDueDateReason: strN,
    suggestedServiceType: strN,
    serviceClock
  },
  additionalProperties: true
} as const

export const serviceClockBody = {
  type: 'object',
  properties: {
    type: { type: ['string', 'null'], description: 'A standard code (second clock), or null to remove it' },
    inspection: { type: 'boolean', description: 'With an on-site inspection (the longer standard, where there is one)' },
    startedAt: { type: ['string', 'null'], format: 'date-time', description: 'When the clock starts (default: the receipt)' },
    doneAt: { type: ['string', 'null'], format: 'date-time', description: 'When the service was performed (stops the clock)' },
    missCause: { type: ['string', 'null'], enum: ['forza_maggiore', 'utente_o_terzi', 'gestore', null] }
  },
  additionalProperties: false
} as const

export const suggestionSchema = {
  type: 'object',
  properties: {
    type: str,
    confidence: str,
    rule: str,
    matched: { type: 'array', items: str },
    explanation: str,
    service: { type: ['object', 'null'], properties: { type: str, typeLabel: str, matched: { type: 'array', items: str } }, additionalProperties: true }
  },
  additionalProperties: true
} as const

const standardView = {
  type: 'object',
  properties: {
    type: str,
    label,
    article: strN,
    toConfirm: { type: 'boolean' },
    defaultWorkingDays: intN,
    workingDays: intN,
    workingDaysWithInspection: intN,
    switchedOff: { type: 'boolean' },
    source: { type: 'string', enum: ['default', 'options', 'runtime'] }
  },
  additionalProperties: true
} as const

export const territoriesSchema = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          code: strN,
          name: str,
          patronSaint: { type: ['object', 'null'], additionalProperties: true },
          municipalities: { type: 'array', items: str },
          mailboxes: { type: 'array', items: { type: ['string', 'integer'] } },
          workingWeekdays: { type: 'array', items: { type: 'integer' } },
          standards: { type: 'array', items: standardView }
        },
        additionalProperties: true
      }
    }
  },
  additionalProperties: true
} as const

export const standardParams = {
  type: 'object',
  properties: { type: { type: 'string', maxLength: 60 } },
  required: ['type'],
  additionalProperties: false
} as const

export const standardBody = {
  type: 'object',
  required: ['workingDays', 'reason'],
  properties: {
    territory: { type: ['string', 'null'], maxLength: 60, description: 'Territory code; null or absent: the deployment' },
    workingDays: { type: ['integer', 'null'], description: 'Working days; null switches the standard off' },
    reason: { type: 'string', maxLength: 500 }
  },
  additionalProperties: false
} as const

export const standardChangeSchema = { type: 'object', properties: { type: str, territory: strN, workingDays: intN }, additionalProperties: true } as const

export const standardChangesSchema = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: { type: 'object', properties: { at: str, actorName: strN, details: { type: 'object', additionalProperties: true } }, additionalProperties: true }
    }
  },
  additionalProperties: true
} as const

export const undatedSchema = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: { workOrderId: { type: 'integer' }, reference: str, type: strN, receivedAt: str, territory: strN, reason: strN },
        additionalProperties: true
      }
    }
  },
  additionalProperties: true
} as const

export const yearlyQuery = {
  type: 'object',
  properties: { year: { type: 'string' }, territory: { type: 'string', maxLength: 60 }, lang: { type: 'string' } },
  additionalProperties: true
} as const

const indicator = {
  type: 'object',
  properties: {
    type: str,
    label,
    article: strN,
    toConfirm: { type: 'boolean' },
    standardWorkingDays: { type: 'integer' },
    standardWorkingDaysWithInspection: intN,
    requests: { type: 'integer' },
    met: { type: 'integer' },
    missed: { type: 'integer' },
    pending: { type: 'integer' },
    missedByCause: { type: 'object', additionalProperties: { type: 'integer' } },
    percentMet: numN,
    averageWorkingDays: numN,
    minimumPercent: numN,
    compliant: boolN
  },
  additionalProperties: true
} as const

export const yearlySchema = {
  type: 'object',
  properties: {
    year: { type: 'integer' },
    deadline: str,
    operator: str,
    generatedAt: str,
    territory: { type: 'object', properties: { code: strN, name: str }, additionalProperties: true },
    scheme: { type: ['object', 'null'], additionalProperties: true },
    users: {
      type: ['object', 'null'],
      properties: {
        on: str,
        domestiche: { type: 'integer' },
        non_domestiche: { type: 'integer' },
        non_classificate: { type: 'integer' },
        total: { type: 'integer' }
      },
      additionalProperties: true
    },
    standards: { type: 'array', items: indicator },
    totals: { type: 'object', additionalProperties: { type: 'integer' } },
    checklist: { type: ['array', 'null'], items: { type: 'object', additionalProperties: true } }
  },
  additionalProperties: true
} as const
