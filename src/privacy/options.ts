// The `retention` plugin option: how long each kind of data is kept, and when the daily job runs. Whatever is set
// here, a work order in the ARERA register keeps its conversation until five calendar years after the year it was
// registered (received) have passed (see README, "Citizens' data").
import { OptionsError } from '../options.js'

export interface RetentionOptions {
  /** Days after a closed work order's last message before its personal data is removed (default 730). */
  closedWorkOrderDays?: number
  /** Days unparseable mail, spam and infected files stay in their quarantines (default 90). */
  quarantineDays?: number
  /** Days audit entries are kept once they concern no work order still within its retention (default 1825). */
  auditDays?: number
  /** Hour of the day (Europe/Rome, 0–23) of the daily run (default 3); `null` turns the daily run off. */
  hour?: number | null
}

export interface ResolvedRetentionOptions {
  closedWorkOrderDays: number
  quarantineDays: number
  auditDays: number
  hour: number | null
}

/** TQRIF: register data are kept for at least five calendar years after the year of registration. */
export const REGISTER_YEARS = 5

export function resolveRetentionOptions(input: RetentionOptions | undefined): ResolvedRetentionOptions {
  const o = input ?? {}
  if (typeof o !== 'object') throw new OptionsError('retention', 'must be an object')
  for (const key of ['closedWorkOrderDays', 'quarantineDays', 'auditDays'] as const) {
    const value = o[key]
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new OptionsError(`retention.${key}`, 'must be a positive number of days')
  }
  if (o.hour !== undefined && o.hour !== null && (!Number.isInteger(o.hour) || o.hour < 0 || o.hour > 23)) {
    throw new OptionsError('retention.hour', 'must be an hour 0–23 (Europe/Rome) or null')
  }
  return {
    closedWorkOrderDays: o.closedWorkOrderDays ?? 730,
    quarantineDays: o.quarantineDays ?? 90,
    auditDays: o.auditDays ?? 1825,
    hour: o.hour === undefined ? 3 : o.hour
  }
}
