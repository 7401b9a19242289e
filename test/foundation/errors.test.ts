// Errors in the caller's language: every module route (walked with an onRoute hook, so routes added later are
// covered) answers its error paths with a stable code, its parameters and a message in Italian or English as asked,
// including schema-validation errors, which name the field.
import t from 'tap'
import type { RouteOptions } from 'fastify'
import { auth, startTestHost } from '../helpers/host.js'

const PREFIX = '/api/communications'
const it = { 'accept-language': 'it-IT,it;q=0.9' }
const en = { 'accept-language': 'en-GB,en;q=0.9' }

t.test("errors in the caller's language", async (t) => {
  const routes: Array<{ method: string; url: string; permission: string }> = []
  const host = await startTestHost({}, undefined, (app) => {
    app.addHook('onRoute', (route: RouteOptions) => {
      if (!route.url.startsWith(PREFIX) || route.url.startsWith(`${PREFIX}/open311/`)) return
      for (const method of [route.method].flat()) {
        if (method !== 'HEAD') routes.push({ method, url: route.url, permission: String((route.config as { permission?: string })?.permission) })
      }
    })
  })
  t.teardown(() => host.close())
  const { app } = host
  const urlOf = (url: string, id = '1') => url.replace(/:\w+/g, id)
  const inject = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
    app.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload: payload as object }) })

  t.test('401 without an operator, on every protected route, in both languages', async (t) => {
    const protectedRoutes = routes.filter((r) => r.permission !== 'public')
    t.ok(protectedRoutes.length >= 30)
    for (const r of protectedRoutes) {
      const url = urlOf(r.url)
      t.same(
        (await inject(r.method, url, it)).json(),
        { statusCode: 401, code: 'unauthorized', error: 'unauthorized', message: 'Autenticazione richiesta: accedi per continuare.', params: {} },
        `${r.method} ${r.url} it`
      )
      t.same(
        (await inject(r.method, url, en)).json(),
        { statusCode: 401, code: 'unauthorized', error: 'unauthorized', message: 'Authentication required: please sign in.', params: {} },
        `${r.method} ${r.url} en`
      )
    }
  })

  t.test('403 for a viewer on every route that needs more than read, in both languages', async (t) => {
    for (const r of routes.filter((r) => r.permission !== 'public' && r.permission !== 'read')) {
      const url = urlOf(r.url)
      const p = r.permission
      t.same(
        (await inject(r.method, url, { ...auth('demo-viewer'), ...it })).json(),
        {
          statusCode: 403,
          code: 'forbidden',
          error: 'forbidden',
          message: `Non hai il permesso di eseguire questa operazione (${p}).`,
          params: { permission: p }
        },
        `${r.method} ${r.url} it`
      )
      t.same(
        (await inject(r.method, url, { ...auth('demo-viewer'), ...en })).json(),
        { statusCode: 403, code: 'forbidden', error: 'forbidden', message: `You do not have permission for this operation (${p}).`, params: { permission: p } },
        `${r.method} ${r.url} en`
      )
    }
  })

  t.test('400 for a non-numeric id, on every route with an :id, in both languages', async (t) => {
    const withId = routes.filter((r) => r.url.includes('/:id'))
    t.ok(withId.length >= 10)
    for (const r of withId) {
      const url = urlOf(r.url, 'abc')
      const payload = r.method === 'GET' || r.method === 'DELETE' ? undefined : {}
      const admin = auth('demo-admin')
      const itRes = (await inject(r.method, url, { ...admin, ...it }, payload)).json()
      const enRes = (await inject(r.method, url, { ...admin, ...en }, payload)).json()
      // a body schema may refuse the empty body first: then the error names its field, still in the right language
      if (itRes.code === 'invalidId') {
        t.same(
          itRes,
          {
            statusCode: 400,
            code: 'invalidId',
            error: 'invalidId',
            message: 'Identificativo non valido: "abc". Serve un numero intero positivo.',
            params: { value: 'abc' }
          },
          `${r.method} ${r.url} it`
        )
        t.same(
          enRes,
          { statusCode: 400, code: 'invalidId', error: 'invalidId', message: 'Invalid id: "abc". A positive integer is required.', params: { value: 'abc' } },
          `${r.method} ${r.url} en`
        )
      } else {
        t.equal(itRes.code, 'invalidRequest', `${r.method} ${r.url}: ${itRes.message}`)
        t.match(itRes.message, /^Richiesta non valida: (manca il campo|il campo)/, `${r.method} ${r.url} it`)
        t.match(enRes.message, /^Invalid request: the field/, `${r.method} ${r.url} en`)
      }
    }
  })

  t.test("schema validation errors name the field in the caller's language", async (t) => {
    const url = `${PREFIX}/settings`
    const it400 = (await inject('PUT', url, { ...auth('demo-admin'), ...it }, { genericContributorId: 'abc' })).json()
    t.same(it400, {
      statusCode: 400,
      code: 'invalidRequest',
      error: 'invalidRequest',
      message: 'Richiesta non valida: il campo "genericContributorId" deve essere un numero intero',
      params: { detail: 'il campo "genericContributorId" deve essere un numero intero' },
      fields: { genericContributorId: 'il campo "genericContributorId" deve essere un numero intero' },
      problems: [
        { field: 'genericContributorId', rule: 'type', params: { type: 'integer' }, message: 'il campo "genericContributorId" deve essere un numero intero' }
      ]
    })
    const en400 = (await inject('PUT', url, { ...auth('demo-admin'), ...en }, { genericContributorId: 'abc' })).json()
    t.equal(en400.message, 'Invalid request: the field "genericContributorId" must be a whole number')
    t.same(en400.fields, { genericContributorId: 'the field "genericContributorId" must be a whole number' })

    const missing = (await inject('POST', `${PREFIX}/work-orders/1/reply`, { ...auth('demo-operator'), ...en }, { to: 'a@example.test' })).json()
    t.equal(missing.message, 'Invalid request: the field "html" is missing')
    t.same(missing.problems, [{ field: 'html', rule: 'required', params: {}, message: 'the field "html" is missing' }])

    const notObject = (
      await app.inject({
        method: 'POST',
        url: `${PREFIX}/work-orders/1/notes`,
        headers: { ...auth('demo-operator'), ...en, 'content-type': 'application/json' },
        payload: '[1]'
      })
    ).json()
    t.equal(notObject.message, 'Invalid request: the request body must be a JSON object')
    const badJson = (
      await app.inject({
        method: 'POST',
        url: `${PREFIX}/work-orders/1/notes`,
        headers: { ...auth('demo-operator'), ...it, 'content-type': 'application/json' },
        payload: '{'
      })
    ).json()
    t.match(badJson, { statusCode: 400, code: 'invalidJsonBody', message: 'Il corpo della richiesta non è un JSON valido.' })

    const query = (await inject('GET', `${PREFIX}/deadlines?maxDaysLeft=tanti&lang=en`, auth('demo-viewer'))).json()
    t.equal(query.message, 'Invalid request: the field "maxDaysLeft" must be a whole number', '?lang=en wins')
    const atLeast = (await inject('GET', `${PREFIX}/messages`, { ...auth('demo-viewer'), ...en })).json()
    t.equal(atLeast.message, 'Invalid request: give at least one of messageId, from, workOrderId')
  })

  t.test('404s in both languages', async (t) => {
    t.same((await inject('GET', `${PREFIX}/work-orders/987654`, { ...auth('demo-viewer'), ...en })).json(), {
      statusCode: 404,
      code: 'workOrderNotFound',
      error: 'workOrderNotFound',
      message: 'Work order 987654 not found.',
      params: { id: 987654 }
    })
    t.equal((await inject('GET', `${PREFIX}/work-orders/987654`, { ...auth('demo-viewer'), ...it })).json().message, 'Ordine di lavoro 987654 non trovato.')
    t.same((await inject('GET', `${PREFIX}/nothing-here`, en)).json(), {
      statusCode: 404,
      code: 'notFoundRoute',
      error: 'notFoundRoute',
      message: 'Resource not found: GET /api/communications/nothing-here',
      params: { method: 'GET', url: '/api/communications/nothing-here' }
    })
  })
})
