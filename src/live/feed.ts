// This instance's watcher of the change feed: one query every `pollMs` (`seq > last`), whatever the number of
// browsers, and a fan-out to the streams subscribed here. Changes are passed on in sequence order, so an event id
// is a safe resume point: a sequence missing from the rows read (a transaction that took its number but has not
// committed yet, on PostgreSQL and SQL Server) holds the changes after it back until it appears or `gapWaitMs`
// has passed; then it is taken for a rolled-back transaction and skipped.
import type { FastifyBaseLogger } from 'fastify'
import type { Change } from '../repositories/changes.js'
import type { Repositories } from '../repositories/index.js'
import type { ResolvedLiveOptions } from './options.js'

export interface ChangeListener {
  change(change: Change): void
  /** The instance is shutting down: end the stream. */
  close(): void
}

const BATCH = 500
const PRUNE_EVERY_MS = 10 * 60_000

export function createChangeFeed(deps: { repos: Repositories; settings: ResolvedLiveOptions; log: Pick<FastifyBaseLogger, 'warn' | 'info'> }) {
  const { repos, settings, log } = deps
  const listeners = new Set<ChangeListener>()
  let last = -1 // the highest sequence passed on (or skipped); -1 until the first poll
  let gap: { before: number; since: number } | null = null
  let timer: ReturnType<typeof setTimeout> | null = null
  let running = false
  let polling: Promise<void> | null = null
  let pruner: ReturnType<typeof setInterval> | null = null

  /** Passes on the rows that follow `last` without a hole; a hole holds the rest back for up to `gapWaitMs`. */
  function advance(rows: Change[], now: number): void {
    for (const row of rows) {
      if (row.seq > last + 1) {
        if (gap?.before !== row.seq) gap = { before: row.seq, since: now }
        if (now - gap.since < settings.gapWaitMs) return
        log.info({ from: last + 1, to: row.seq - 1 }, 'change feed: sequence numbers never committed, skipped')
      }
      gap = null
      last = row.seq
      for (const listener of listeners) listener.change(row)
    }
  }

  async function pollOnce(): Promise<void> {
    if (last < 0) {
      last = await repos.changes.latestSeq()
      return
    }
    advance(await repos.changes.after(last, BATCH), Date.now())
  }

  /** Polls while a stream listens; with none, the instance costs nothing and forgets where the feed stood. */
  function schedule(): void {
    if (timer || polling || !running) return
    if (listeners.size === 0) {
      last = -1
      gap = null
      return
    }
    timer = setTimeout(() => {
      timer = null
      polling = pollOnce()
        .catch((err: unknown) => log.warn({ err }, 'change feed: poll failed; trying again'))
        .finally(() => {
          polling = null
          schedule()
        })
    }, settings.pollMs)
  }

  async function prune(): Promise<void> {
    await repos.changes.pruneBefore(new Date(Date.now() - settings.keepMs)).catch((err: unknown) => log.warn({ err }, 'change feed: pruning failed'))
  }

  return {
    /** From now on streams may subscribe; old changes are pruned in the background. */
    start(): void {
      running = true
      pruner ??= setInterval(() => void prune(), PRUNE_EVERY_MS)
      pruner.unref()
    },
    /** Ends every stream of this instance (before the server closes: open streams would keep it waiting). */
    closeStreams(): void {
      for (const listener of [...listeners]) listener.close()
      listeners.clear()
    },
    async stop(): Promise<void> {
      running = false
      if (pruner) clearInterval(pruner)
      pruner = null
      if (timer) clearTimeout(timer)
      timer = null
      await polling
      this.closeStreams()
    },
    /**
     * Changes passed on from now on go to `listener` too. Resolves the resume point: the last sequence passed on,
     * so `since(lastEventId, position)` is exactly what a reconnecting stream missed.
     */
    async subscribe(listener: ChangeListener): Promise<{ position: number; unsubscribe: () => void }> {
      if (!running) throw new Error('change feed: not started')
      if (last < 0) last = await repos.changes.latestSeq()
      listeners.add(listener)
      schedule()
      return { position: last, unsubscribe: () => listeners.delete(listener) }
    },
    /**
     * Changes after `seq` up to `through` (what a reconnecting stream missed), at most `limit`; null when some of
     * them were pruned already (or more than `limit`): the stream cannot be resumed exactly.
     */
    async since(seq: number, through: number, limit: number): Promise<Change[] | null> {
      const oldest = await repos.changes.oldestSeq()
      if (oldest === null || oldest > seq + 1) return null
      const missed = await repos.changes.after(seq, limit, through)
      return missed.length === limit ? null : missed
    },
    /** Deletes changes older than `keepMs` now (the feed does it every ten minutes). */
    prune,
    listenerCount: () => listeners.size
  }
}

export type ChangeFeed = ReturnType<typeof createChangeFeed>
