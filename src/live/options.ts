// The `live` plugin option: how often each instance looks at the change feed, how often open streams get a
// heartbeat, and how long changes are kept for reconnecting browsers.
import { OptionsError } from '../options.js'

export interface LiveOptions {
  /** How often the instance reads the change feed while a browser listens (default 200 ms; 20–5000). */
  pollMs?: number
  /** A comment on every open stream this often, so proxies keep it open (default 15 s). */
  heartbeatMs?: number
  /** How long a missing sequence number holds later changes back before it counts as rolled back (default 2 s). */
  gapWaitMs?: number
  /** How long changes are kept for browsers that reconnect (default one day). */
  keepMs?: number
}

export type ResolvedLiveOptions = Required<LiveOptions>

export function resolveLiveOptions(input: LiveOptions | undefined): ResolvedLiveOptions {
  const o = input ?? {}
  if (typeof o !== 'object') throw new OptionsError('live', 'must be an object')
  const ranges: Record<keyof LiveOptions, [number, number]> = {
    pollMs: [20, 5000],
    heartbeatMs: [100, 300_000],
    gapWaitMs: [0, 60_000],
    keepMs: [60_000, 30 * 86_400_000]
  }
  for (const [key, [min, max]] of Object.entries(ranges) as Array<[keyof LiveOptions, [number, number]]>) {
    const value = o[key]
    if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
      throw new OptionsError(`live.${key}`, `must be an integer number of milliseconds between ${min} and ${max}`)
    }
  }
  return { pollMs: o.pollMs ?? 200, heartbeatMs: o.heartbeatMs ?? 15_000, gapWaitMs: o.gapWaitMs ?? 2000, keepMs: o.keepMs ?? 86_400_000 }
}
