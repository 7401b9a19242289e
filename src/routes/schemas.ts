// JSON schemas the routes share: building blocks, path parameters and the shapes the API answers with. Response
// schemas are complete on purpose: Fastify serialises through them and leaves out any property they do not name
// (the test host checks every answer against them, see test/helpers/strict-responses.ts).

type Schema = Record<string, unknown>

export const str = { type: 'string' } as const
export const nullableStr = { type: ['string', 'null'] } as const
export const int = { type: 'integer' } as const
export const nullableInt = { type: ['integer', 'null'] } as const
export const bool = { type: 'boolean' } as const
const nullableBool = { type: ['boolean', 'null'] } as const
export const strings = { type: 'array', items: str } as const
const ints = { type: 'array', items: int } as const
const freeObject = { type: 'object', additionalProperties: true } as const

/** An object with these properties and no others; all required unless `optional` names them. */
export function object(properties: Record<string, Schema>, optional: readonly string[] = [], extra: Schema = {}): Schema {
  return { type: 'object', properties, required: Object.keys(properties).filter((k) => !optional.includes(k)), additionalProperties: false, ...extra }
}

/** `{ items: [...] }` */
export const itemsOf = (item: Schema, extra: Record<string, Schema> = {}) => object({ items: { type: 'array', items: item }, ...extra })

/** Route ids: checked by parseId, whose 400 `invalidId` quotes the value (`abc`, `-1`) in the caller's language. */
export const idParams = object({ id: { type: 'string', description: 'A positive integer id.', examples: ['42'] } })

/** A binary or text download: documented by media type, sent as it is. */
export const download = (description: string, ...mediaTypes: string[]) => ({
  description,
  content: Object.fromEntries(mediaTypes.map((m) => [m, { schema: { type: 'string', format: 'binary' } }]))
})

export const contributorSchema = object({ id: int, displayName: str, fiscalCode: nullableStr, emails: strings })

const attachmentSummarySchema = object({
  id: int,
  filename: str,
  contentType: str,
  size: int,
  sha256: str,
  contentId: nullableStr,
  inline: bool,
  scan: { type: 'string', enum: ['clean', 'infected', 'pending', 'error', 'off'] },
  virus: nullableStr,
  blocked: bool
})

export const messageSchema = object({
  id: int,
  workOrderId: nullableInt,
  contributorId: nullableInt,
  mailboxId: nullableInt,
  direction: { type: 'string', enum: ['inbound', 'outbound'] },
  channel: { type: 'string', enum: ['email', 'web', 'app', 'note'] },
  messageId: nullableStr,
  inReplyTo: nullableStr,
  references: strings,
  from: nullableStr,
  fromName: nullableStr,
  to: strings,
  cc: strings,
  subject: nullableStr,
  html: nullableStr,
  text: nullableStr,
  attachments: { type: 'array', items: attachmentSummarySchema },
  createdAt: str,
  receivedAt: nullableStr,
  deliveryStatus: { type: ['string', 'null'], enum: ['queued', 'sending', 'sent', 'retrying', 'failed', null] },
  deliveryError: nullableStr,
  automaticKind: nullableStr,
  senderMatch: { type: ['string', 'null'], enum: ['single', 'ambiguous', 'unknown', null] },
  senderCandidates: ints,
  operator: { type: ['object', 'null'], properties: { id: str, name: nullableStr }, required: ['id', 'name'], additionalProperties: false },
  meta: freeObject
})

const clockEventSchema = object({
  action: { type: 'string', enum: ['suspend', 'resume', 'extend'] },
  reason: str,
  days: nullableInt,
  at: str,
  actorName: nullableStr
})

/** The ARERA fields of a work order (also the answer of classification and clock changes). */
const clockFieldsProperties = {
  type: nullableStr,
  typeLabel: nullableStr,
  suggestedType: nullableStr,
  typeConfirmed: bool,
  typeConfirmedAt: nullableStr,
  typeConfirmedBy: nullableStr,
  service: nullableStr,
  standardWorkingDays: nullableInt,
  dueDate: nullableStr,
  extendedDueDate: nullableStr,
  daysLeft: nullableInt,
  workingDaysTaken: int,
  suspendedWorkingDays: int,
  clockState: { type: 'string', enum: ['none', 'running', 'suspended', 'stopped'] },
  standardMet: nullableBool,
  missCause: nullableStr,
  clockEvents: { type: 'array', items: clockEventSchema }
}

export const clockFieldsSchema = object(clockFieldsProperties, [], { additionalProperties: true })

const workOrderStatus = { type: ['string', 'null'], enum: ['open', 'in_progress', 'waiting', 'closed', null] }

export const workOrderSchema = object(
  {
    ...clockFieldsProperties,
    id: int,
    contributorId: nullableInt,
    status: workOrderStatus,
    hostStatus: nullableStr,
    hostType: nullableStr,
    subject: nullableStr,
    description: nullableStr,
    createdAt: nullableStr,
    reference: nullableStr,
    contributor: { anyOf: [contributorSchema, { type: 'null' }] },
    channel: nullableStr,
    receivedAt: nullableStr,
    replySentAt: nullableStr,
    parentWorkOrderId: nullableInt,
    infectedAttachments: int,
    replyRecipient: { ...nullableStr, description: 'Whom a reply goes to when no `to` is given: an address accepted into the conversation.' }
    // ARERA fields grow with the regulation (territory, second clock, …): documented ones listed, none dropped
  },
  Object.keys(clockFieldsProperties).filter((k) => !['type', 'suggestedType', 'dueDate', 'standardMet', 'missCause'].includes(k)),
  { additionalProperties: true }
)

/** The language of the answer and of its errors; every query accepts it (Accept-Language works too). */
const langParam = { type: 'string', enum: ['it', 'en'], description: 'Language of the answer and of its errors.' } as const

/** A query string schema: these optional parameters, plus `lang`. Unknown parameters are dropped, not refused. */
export const query = (properties: Record<string, Schema>, required: readonly string[] = []) =>
  object(
    { ...properties, lang: langParam },
    Object.keys(properties)
      .filter((k) => !required.includes(k))
      .concat('lang')
  )

const labelSchema = object({ it: str, en: str })
const isoDate = { type: 'string', format: 'date' } as const
const nullableIsoDate = { type: ['string', 'null'], format: 'date' } as const

export const deadlineItemSchema = object(
  {
    workOrderId: int,
    reference: str,
    subject: nullableStr,
    contributorId: nullableInt,
    contributorName: nullableStr,
    type: str,
    typeLabel: str,
    receivedAt: str,
    dueDate: isoDate,
    extendedDueDate: nullableIsoDate,
    daysLeft: int,
    clockState: clockFieldsProperties.clockState,
    mailboxId: nullableInt
  },
  [],
  { additionalProperties: true }
)

export const registerEntrySchema = object(
  {
    workOrderId: int,
    reference: str,
    channel: str,
    contributorId: nullableInt,
    contributorName: nullableStr,
    type: str,
    typeLabel: str,
    typeConfirmed: bool,
    service: nullableStr,
    serviceLabel: nullableStr,
    receivedAt: str,
    receivedDate: isoDate,
    dueDate: nullableIsoDate,
    extendedDueDate: nullableIsoDate,
    replySentAt: nullableStr,
    replyDate: nullableIsoDate,
    standardWorkingDays: nullableInt,
    workingDaysTaken: nullableInt,
    suspendedWorkingDays: int,
    outcome: { type: 'string', enum: ['met', 'missed', 'pending', 'no_standard'] },
    standardMet: nullableBool,
    missCause: nullableStr
  },
  [],
  { additionalProperties: true }
)

const nullableNumber = { type: ['number', 'null'] } as const

export const indicatorsSchema = object(
  {
    year: int,
    basis: { type: 'string', enum: ['receipt'] },
    from: isoDate,
    to: isoDate,
    generatedAt: str,
    scheme: { anyOf: [object({ id: str, label: labelSchema, minimumCompliancePercent: nullableNumber }), { type: 'null' }] },
    totals: object({ requests: int, withStandard: int, met: int, missed: int, pending: int }),
    standards: {
      type: 'array',
      items: object(
        {
          type: str,
          label: labelSchema,
          article: nullableStr,
          standardWorkingDays: int,
          requests: int,
          met: int,
          missed: int,
          missedByCause: { type: 'object', additionalProperties: int },
          pending: int,
          percentMet: nullableNumber,
          averageWorkingDays: nullableNumber,
          minimumPercent: nullableNumber,
          compliant: nullableBool
        },
        [],
        { additionalProperties: true }
      )
    }
  },
  [],
  { additionalProperties: true }
)
