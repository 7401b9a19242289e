// GET <prefix>/openapi.json: a valid OpenAPI 3.1 document that lists every route the module registers (walked with
// an onRoute hook, so routes added later are checked too), each with its permission, its success response and the
// shared error responses.
import { Validator } from '@seriousme/openapi-schema-validator'
import t from 'tap'
import type { RouteOptions } from 'fastify'
import { auth, startTestHost } from '../helpers/host.js'

const PREFIX = '/api/communications'

interface Operation {
  'x-permission'?: string
  description?: string
  responses?: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }>
}

t.test('the OpenAPI document', async (t) => {
  const routes: Array<{ method: string; url: string; permission: string }> = []
  const host = await startTestHost({}, undefined, (app) => {
    app.addHook('onRoute', (route: RouteOptions) => {
      if (!route.url.startsWith(PREFIX)) return
      for (const method of [route.method].flat()) {
        if (method !== 'HEAD')
          routes.push({ method: method.toLowerCase(), url: route.url, permission: String((route.config as { permission?: string })?.permission) })
      }
    })
  })
  t.teardown(() => host.close())
  const res = await host.app.inject({ url: `${PREFIX}/openapi.json` })
  const doc = res.json()

  t.test('is public, JSON and validates as OpenAPI 3.1', async (t) => {
    t.equal(res.statusCode, 200)
    t.match(res.headers['content-type'], /application\/json/)
    t.equal(doc.openapi, '3.1.0')
    const validator = new Validator()
    const result = await validator.validate(structuredClone(doc))
    t.same(result.errors ?? [], [], 'no validation errors')
    t.equal(result.valid, true)
    t.equal(validator.version, '3.1')
  })

  t.test('lists every route with its permission, a success response and its error responses', async (t) => {
    t.ok(routes.length >= 40, `${routes.length} module routes seen by the hook`)
    for (const route of routes) {
      const path = route.url.replace(/:(\w+)/g, '{$1}')
      const op = doc.paths?.[path]?.[route.method] as Operation | undefined
      const name = `${route.method.toUpperCase()} ${route.url}`
      if (!op) {
        t.fail(`${name} is not in the document`)
        continue
      }
      t.equal(op['x-permission'], route.permission, `${name}: x-permission`)
      t.ok(op.description?.includes(route.permission === 'public' ? 'Public' : `Permission \`${route.permission}\``), `${name}: permission in the description`)
      const statuses = Object.keys(op.responses ?? {})
      // TODO(open311): its routes get their schemas with the Open311 rework; then drop this todo
      const todo = route.url.startsWith(`${PREFIX}/open311/`) ? 'Open311 response schemas pending' : false
      t.ok(
        statuses.some((s) => /^[23]/.test(s)),
        `${name}: documents its success response`,
        { todo }
      )
      const expected = ['400', ...(route.permission === 'public' ? [] : ['401', '403']), ...(route.url.includes(':') ? ['404'] : [])]
      for (const status of expected) {
        const schema = op.responses?.[status]?.content?.['application/json']?.schema
        // Open311 answers errors in its own GeoReport shape; every other route in the module's error shape
        if (route.url.startsWith(`${PREFIX}/open311/`)) t.ok(schema, `${name}: documents ${status}`)
        else t.same(schema?.required, ['statusCode', 'code', 'error', 'message', 'params'], `${name}: ${status} has the error schema`)
      }
    }
  })

  t.test('the operation of a route with a body documents it', async (t) => {
    const reply = doc.paths[`${PREFIX}/work-orders/{id}/reply`].post
    t.same(Object.keys(reply.requestBody.content).sort(), ['application/json', 'multipart/form-data'])
    t.same(reply.requestBody.content['application/json'].schema.required, ['html'])
    t.equal(reply['x-permission'], 'write')
    t.same(Object.keys(reply.responses).sort(), ['201', '400', '401', '403', '404', '500'])
  })

  t.test('the document is the same for an operator', async (t) => {
    const again = await host.app.inject({ url: `${PREFIX}/openapi.json`, headers: auth('demo-viewer') })
    t.same(again.json(), doc)
  })
})
