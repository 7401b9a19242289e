// The `antivirus` plugin option: where clamd listens and how the background scanner paces itself.
import { OptionsError } from '../options.js'
import { parseClamdUrl, type ClamdAddress } from './clamd.js'

export interface AntivirusOptions {
  /** clamd's socket: `tcp://host:port` or a Unix socket path. When set, every attachment is scanned. */
  clamd: string
  /** Connect, stream and verdict timeout per file (default 30 s). */
  timeoutMs?: number
  /** How often the scanner looks for attachments not scanned yet (default 2 s); it is also woken on new ones. */
  pollMs?: number
  /** Wait before trying again while clamd is unreachable (default 5 s doubling to 5 min). */
  retryBackoff?: { baseMs: number; maxMs: number }
  /** clamd ERROR verdicts (e.g. beyond its StreamMaxLength) before the attachment is marked 'error' (default 3). */
  maxAttempts?: number
}

export interface ResolvedAntivirusOptions {
  url: string
  address: ClamdAddress
  timeoutMs: number
  pollMs: number
  retryBackoff: { baseMs: number; maxMs: number }
  maxAttempts: number
}

export function resolveAntivirusOptions(input: AntivirusOptions | null | undefined): ResolvedAntivirusOptions | null {
  if (input === undefined || input === null) return null
  if (typeof input !== 'object') throw new OptionsError('antivirus', 'must be { clamd: "tcp://host:port" | "/path/to/clamd.sock" }')
  if (typeof input.clamd !== 'string' || input.clamd.length === 0) throw new OptionsError('antivirus.clamd', 'is required: "tcp://host:port" or a socket path')
  let address: ClamdAddress
  try {
    address = parseClamdUrl(input.clamd)
  } catch (err) {
    throw new OptionsError('antivirus.clamd', (err as Error).message)
  }
  for (const key of ['timeoutMs', 'pollMs', 'maxAttempts'] as const) {
    const value = input[key]
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new OptionsError(`antivirus.${key}`, 'must be a positive integer')
  }
  const backoff = input.retryBackoff
  if (
    backoff !== undefined &&
    !(Number.isInteger(backoff?.baseMs) && Number.isInteger(backoff?.maxMs) && backoff.baseMs > 0 && backoff.maxMs >= backoff.baseMs)
  ) {
    throw new OptionsError('antivirus.retryBackoff', 'must be { baseMs, maxMs } with 0 < baseMs <= maxMs (milliseconds)')
  }
  return {
    url: input.clamd,
    address,
    timeoutMs: input.timeoutMs ?? 30_000,
    pollMs: input.pollMs ?? 2000,
    retryBackoff: backoff ?? { baseMs: 5000, maxMs: 300_000 },
    maxAttempts: input.maxAttempts ?? 3
  }
}
