// Response schemas are complete or the test fails: Fastify serialises answers through their schemas and silently
// drops any property a schema does not name (and writes null as "" or 0 for a non-nullable type). Installed on the
// test host before the module loads, this checks every JSON answer of every module route against its schema with
// no unknown property allowed, and turns a mismatch into a 500 that names the route and the property.
import { Ajv, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { FastifyInstance, RouteOptions, preSerializationAsyncHookHandler } from 'fastify'

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv

/** A copy of the schema in which every object lists all its properties. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed)
  if (!schema || typeof schema !== 'object') return schema
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(schema))
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, closed(s)])) : closed(v)
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false
  return out
}

export function checkResponsesAgainstSchemas(app: FastifyInstance, prefix: string): void {
  const ajv = addFormats(new Ajv({ allErrors: true, strict: false }))
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!route.url.startsWith(prefix)) return
    const responses = (route.schema as { response?: Record<string, Record<string, unknown>> } | undefined)?.response ?? {}
    const validators = new Map<string, ValidateFunction>()
    for (const [status, schema] of Object.entries(responses)) {
      if (!schema.content && (schema.type || schema.properties || schema.anyOf)) validators.set(status, ajv.compile(closed(schema) as object))
    }
    const check: preSerializationAsyncHookHandler = async (_request, reply, payload) => {
      const validate = validators.get(String(reply.statusCode))
      if (!validate || payload === null || typeof payload !== 'object' || Buffer.isBuffer(payload)) return payload
      if (!validate(JSON.parse(JSON.stringify(payload)))) {
        const problem = `${route.method} ${route.url} answered ${reply.statusCode} outside its response schema: ${ajv.errorsText(validate.errors)}`
        process.stderr.write(`${problem}\n`)
        throw new Error(problem)
      }
      return payload
    }
    const existing = route.preSerialization
    route.preSerialization = [...(Array.isArray(existing) ? existing : existing ? [existing] : []), check]
  })
}
