// A fixed-window counter per key (the Open311 api_key): every POST of a key, JSON or XML, request or update,
// counts in the same bucket. Pure and in memory, per instance, like @fastify/rate-limit's default store.

export interface LimitResult {
  allowed: boolean
  limit: number
  remaining: number
  /** Milliseconds until the window ends and the count starts again. */
  resetMs: number
}

export function createKeyLimiter(windowMs: number, now: () => number = Date.now) {
  const windows = new Map<string, { count: number; endsAt: number }>()
  return {
    /** Counts one use of `key` against `limit` per window; a refused use is not counted. */
    hit(key: string, limit: number): LimitResult {
      const t = now()
      let w = windows.get(key)
      if (!w || w.endsAt <= t) {
        w = { count: 0, endsAt: t + windowMs }
        windows.set(key, w)
      }
      const allowed = w.count < limit
      if (allowed) w.count++
      return { allowed, limit, remaining: Math.max(0, limit - w.count), resetMs: w.endsAt - t }
    }
  }
}
