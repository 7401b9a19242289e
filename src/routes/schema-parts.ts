// JSON-schema pieces the newer routes share: the error body every route answers with, ids, timestamps.

import { errorSchema } from './errors.js'

/** The module's one error body (src/routes/errors.ts): code, params, message in the caller's language, field problems. */
const errorBody = errorSchema

/** 400, 401, 403, 404 and 409 all carry the same body. */
export const errorResponses = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody } as const

/** `:id` in the path: a string here, parsed (and refused in the caller's language) by parseId. */
export const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 20 } } } as const

export const nullableString = { type: ['string', 'null'] } as const
export const nullableInteger = { type: ['integer', 'null'] } as const
