// Every route states the permission it needs; this hook asks the host who the operator is and enforces it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { HttpError } from './http-errors.js'
import { PERMISSIONS, type AuthorizeHook, type Operator, type Permission } from './types.js'

export type RoutePermission = Permission | 'public'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Required on every module route: the operator permission it needs, or 'public'. */
    permission?: RoutePermission
  }
  interface FastifyRequest {
    operator: Operator | null
  }
}

export function installPermissionChecks(app: FastifyInstance, authorize: AuthorizeHook): void {
  app.decorateRequest('operator', null)

  // A route without a declared permission is a programming error, caught at start-up rather than in production.
  app.addHook('onRoute', (route) => {
    const permission = (route.config as { permission?: unknown } | undefined)?.permission
    if (permission !== 'public' && !(PERMISSIONS as readonly unknown[]).includes(permission)) {
      throw new Error(`Route ${String(route.method)} ${route.url} declares no permission (config.permission)`)
    }
  })

  app.addHook('onRequest', async (request: FastifyRequest, _reply: FastifyReply) => {
    const permission = request.routeOptions.config.permission
    if (permission === undefined) return // the not-found handler
    const operator = await authorize(request)
    request.operator = operator ? normaliseOperator(operator) : null
    if (permission === 'public') return
    if (!request.operator) throw new HttpError(401, 'unauthorized')
    if (!request.operator.permissions.includes(permission)) throw new HttpError(403, 'forbidden', { permission })
  })
}

function normaliseOperator(operator: Operator): Operator {
  return {
    id: String(operator.id),
    name: String(operator.name ?? operator.id),
    email: operator.email ?? null,
    permissions: Array.isArray(operator.permissions) ? operator.permissions.filter((p) => (PERMISSIONS as readonly string[]).includes(p)) : []
  }
}

/**
 * Asks the host again whether the request's operator still holds `permission` (a long-lived stream, whose session
 * may have ended or been revoked since it was opened). A failing hook counts as no.
 */
export async function stillPermitted(request: FastifyRequest, authorize: AuthorizeHook, permission: Permission): Promise<boolean> {
  try {
    const operator = await authorize(request)
    return operator ? normaliseOperator(operator).permissions.includes(permission) : false
  } catch {
    return false
  }
}

/** The operator of a request on a route that requires one (the hook guarantees it is set). */
export function operatorOf(request: FastifyRequest): Operator {
  if (!request.operator) throw new HttpError(401, 'unauthorized')
  return request.operator
}
