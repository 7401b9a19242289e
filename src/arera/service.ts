// The ARERA side of the module, one use case per module: classification and the second clock
// (classification.ts), the reply clock's events and miss causes (clock-actions.ts), the register and the
// indicators (register.ts), deadlines (deadlines.ts), standards and territories (standards-admin.ts), the yearly
// communication (yearly.ts). Routes call this; it talks to repositories only.
import { REGULATORY_SCHEMES } from '../domain/arera.js'
import type { ResolvedOptions } from '../options.js'
import type { StoredClockEvent } from '../repositories/arera.js'
import type { Repositories } from '../repositories/index.js'
import type { WorkOrderMeta } from '../repositories/work-order-meta.js'
import { createClassification } from './classification.js'
import { createClockActions } from './clock-actions.js'
import { createAreraContext } from './context.js'
import { createDeadlines } from './deadlines.js'
import { createRegister } from './register.js'
import { createStandardsAdmin } from './standards-admin.js'
import type { ClockFields } from './types.js'
import { createYearly } from './yearly.js'

export type * from './types.js'

export function createAreraService(repos: Repositories, options: ResolvedOptions) {
  const ctx = createAreraContext(repos, options)
  const register = createRegister(ctx)
  return {
    /** The deployment's default calendar and standards (as configured; run-time changes: `territories()`). */
    calendar: ctx.base.default.calendar,
    standards: ctx.base.default.standards,
    /** Configured territories, for the ingest (a request's calendar and standards at opening). */
    configuredTerritories: ctx.base,
    currentTerritories: (repo?: Repositories) => ctx.territories(repo),
    scheme: ctx.scheme,
    schemes: REGULATORY_SCHEMES,
    minimumPercent: ctx.minimumPercent,
    /** The reply clock of a work order in its territory (configured standards; for merges and previews). */
    clockOf: (meta: WorkOrderMeta, events: readonly StoredClockEvent[], now: Date) => ctx.clockOf(ctx.base.of(meta.territory), meta, events, now),

    /** The ARERA fields of a work order's view. */
    async clockFields(meta: WorkOrderMeta, now: Date = new Date()): Promise<ClockFields> {
      return ctx.fieldsOf(await ctx.territories(), meta, await repos.arera.listClockEvents(meta.workOrderId), now)
    },
    ...createClassification(ctx),
    ...createClockActions(ctx),
    ...register,
    ...createDeadlines(ctx),
    ...createStandardsAdmin(ctx),
    ...createYearly(ctx, register)
  }
}

export type AreraService = ReturnType<typeof createAreraService>
