// What every route plugin receives: the service and the resolved options.
import type { ResolvedOptions } from '../options.js'
import type { CommunicationsService } from '../module.js'

export interface RouteContext {
  service: CommunicationsService
  options: ResolvedOptions
}

export interface RouteOptions {
  ctx: RouteContext
}
