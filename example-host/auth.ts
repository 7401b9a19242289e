// Demo operators of the example host. A real host plugs its own session/SSO into the module's `authorize` hook.
import type { FastifyRequest } from 'fastify'
import type { Operator } from '../src/types.js'

export const SESSION_COOKIE = 'garbage_session'

export const DEMO_OPERATORS: Record<string, Operator> = {
  'demo-admin': { id: 'demo-admin', name: 'Amministratore Demo', email: 'admin@garbage.example.test', permissions: ['read', 'write', 'documents', 'admin'] },
  'demo-operator': { id: 'demo-operator', name: 'Operatore Demo', email: 'operatore@garbage.example.test', permissions: ['read', 'write', 'documents'] },
  'demo-viewer': { id: 'demo-viewer', name: 'Consultatore Demo', email: 'consultazione@garbage.example.test', permissions: ['read'] }
}

/** The operator behind a bearer token or the browser's session cookie. */
export function operatorFromRequest(request: FastifyRequest): Operator | null {
  const header = request.headers.authorization
  const bearer = typeof header === 'string' && /^Bearer\s+/i.test(header) ? header.replace(/^Bearer\s+/i, '').trim() : undefined
  const token = bearer ?? request.cookies?.[SESSION_COOKIE]
  return token ? (DEMO_OPERATORS[token] ?? null) : null
}
