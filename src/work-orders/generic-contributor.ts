// The generic contributor (unknown or ambiguous senders): configured at registration, changeable by an
// administrator at run time. Read on every ingested mail, so it is cached briefly; other instances see a change
// within the cache lifetime.
import type { SettingsRepository } from '../repositories/settings.js'

export const GENERIC_CONTRIBUTOR_SETTING = 'genericContributorId'

export interface GenericContributor {
  /** `within`: the settings of the caller's transaction (a pool of one connection, SQLite, cannot serve a second). */
  get(within?: SettingsRepository): Promise<number>
  set(contributorId: number): Promise<void>
}

export function createGenericContributor(settings: SettingsRepository, configured: number, ttlMs = 10_000): GenericContributor {
  let cached: { value: number; until: number } | null = null
  return {
    async get(within = settings) {
      if (cached && cached.until > Date.now()) return cached.value
      const value = (await within.get<number>(GENERIC_CONTRIBUTOR_SETTING)) ?? configured
      cached = { value, until: Date.now() + ttlMs }
      return value
    },
    async set(contributorId) {
      await settings.set(GENERIC_CONTRIBUTOR_SETTING, contributorId)
      cached = { value: contributorId, until: Date.now() + ttlMs }
    }
  }
}
