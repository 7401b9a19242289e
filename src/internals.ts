// What the public service deliberately hides: the repositories and the Knex instance. Tests, benchmarks and the
// module's own start-up reach them through `internalsOf(app.communications)`; the package entry never exports it,
// so host code sees use cases only.
import type { Knex } from 'knex'
import type { Repositories } from './repositories/index.js'

export interface ServiceInternals {
  repositories: Repositories
  knex: Knex
}

const internals = new WeakMap<object, ServiceInternals>()

export function attachInternals<T extends object>(service: T, value: ServiceInternals): T {
  internals.set(service, value)
  return service
}

/** The repositories and Knex behind a service built by createModule (throws for any other object). */
export function internalsOf(service: object): ServiceInternals {
  const found = internals.get(service)
  if (!found) throw new Error('internalsOf: not a communications service built by createModule')
  return found
}
