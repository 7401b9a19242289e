// The background scanner: attachments arrive as 'pending' (ingestion never waits for clamd) and this loop hands
// them to clamd one by one, streamed. Clean files become downloadable; infected ones go to quarantine (bytes out
// of the attachment store), are audited and flagged on their work order; a clamd that is down leaves them pending
// and is tried again with a doubling delay. Any number of instances may run it: each file is claimed first.
import type { FastifyBaseLogger } from 'fastify'
import { retryDelayMs } from '../mail/smtp.js'
import type { Repositories } from '../repositories/index.js'
import { readAttachmentContent, type AttachmentStorage } from '../storage.js'
import { ClamdUnavailableError, type ClamdClient } from './clamd.js'
import type { ResolvedAntivirusOptions } from './options.js'

export interface ScanStats {
  clean: number
  infected: number
  error: number
  /** Left pending because clamd could not be reached. */
  deferred: number
}

export interface ScannerDeps {
  repos: Repositories
  storage: AttachmentStorage
  client: Pick<ClamdClient, 'scan'>
  settings: ResolvedAntivirusOptions
  log: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>
  /** After a pass that settled files: mail held for them can go now. */
  onSettled?: () => void
  now?: () => Date
}

const BATCH = 20

export function createAttachmentScanner(deps: ScannerDeps) {
  const { repos, settings, log } = deps
  const now = deps.now ?? (() => new Date())
  let running = false
  let loop: Promise<void> | null = null
  let wakeUp: (() => void) | null = null
  let pending = false
  let unavailableSince = 0
  let outage = 0
  let passing: Promise<ScanStats> | null = null

  async function bytesOf(id: number): Promise<{ content: Buffer; storageKey: string | null } | null> {
    const meta = await repos.attachments.findById(id)
    if (!meta) return null
    const content = await readAttachmentContent(meta, deps.storage, repos.attachments.readContent, { missingFileAsNull: true })
    return content ? { content, storageKey: meta.storage === 'directory' ? meta.storageKey : null } : null
  }

  async function recordInfected(id: number, signature: string, content: Buffer, storageKey: string | null, at: Date): Promise<void> {
    const meta = await repos.attachments.findById(id)
    const message = meta ? await repos.messages.findById(meta.messageId) : null
    const moved = await repos.transaction(async (tx) => {
      if (!(await tx.attachmentScans.quarantine(id, signature, content, at))) return false
      await tx.audit.record(
        {
          actorType: 'system',
          action: 'attachment.infected',
          workOrderId: message?.workOrderId ?? null,
          messageId: meta?.messageId ?? null,
          details: { attachmentId: id, filename: meta?.filename ?? null, signature }
        },
        at
      )
      return true
    })
    // a directory file shared (same bytes) with rows still being served stays until they are infected too
    if (moved && storageKey && (await repos.attachmentScans.countServingStorageKey(storageKey, id)) === 0) await deps.storage.remove(storageKey)
    if (moved) log.warn({ attachmentId: id, workOrderId: message?.workOrderId ?? null, signature }, 'antivirus: infected attachment quarantined')
  }

  async function scanOne(id: number, stats: ScanStats): Promise<'done' | 'unavailable'> {
    const at = now()
    if (!(await repos.attachmentScans.claim(id, at, new Date(at.getTime() + 2 * settings.timeoutMs)))) return 'done'
    const file = await bytesOf(id)
    if (!file) {
      await repos.attachmentScans.markError(id, 'contenuto non disponibile', at)
      stats.error++
      return 'done'
    }
    let verdict
    try {
      verdict = await deps.client.scan(file.content)
    } catch (err) {
      await repos.attachmentScans.retryAt(id, at, err instanceof Error ? err.message : String(err), false)
      if (err instanceof ClamdUnavailableError) return 'unavailable'
      throw err
    }
    const done = now()
    if (verdict.status === 'clean') {
      if (await repos.attachmentScans.markClean(id, done)) stats.clean++
    } else if (verdict.status === 'infected') {
      await recordInfected(id, verdict.signature, file.content, file.storageKey, done)
      stats.infected++
    } else {
      const attempts = await repos.attachmentScans.retryAt(id, new Date(done.getTime() + retryDelayMs(1, settings.retryBackoff)), verdict.message, true)
      if (attempts >= settings.maxAttempts && (await repos.attachmentScans.markError(id, verdict.message, done))) {
        const meta = await repos.attachments.findById(id)
        const message = meta ? await repos.messages.findById(meta.messageId) : null
        await repos.audit.record(
          {
            actorType: 'system',
            action: 'attachment.scanFailed',
            workOrderId: message?.workOrderId ?? null,
            messageId: meta?.messageId ?? null,
            details: { attachmentId: id, filename: meta?.filename ?? null, error: verdict.message, attempts }
          },
          done
        )
        stats.error++
      }
    }
    return 'done'
  }

  /** Scans what is due now; stops at the first sign that clamd is unreachable. */
  async function pass(): Promise<ScanStats> {
    const stats: ScanStats = { clean: 0, infected: 0, error: 0, deferred: 0 }
    for (;;) {
      const due = await repos.attachmentScans.listDue(now(), BATCH)
      if (due.length === 0) break
      let unavailable = false
      for (const id of due) {
        if ((await scanOne(id, stats)) === 'unavailable') {
          unavailable = true
          break
        }
      }
      if (unavailable) {
        stats.deferred = (await repos.attachmentScans.counts()).pending
        if (outage === 0) unavailableSince = Date.now()
        outage++
        break
      }
      if (outage > 0) log.info({ downForMs: Date.now() - unavailableSince }, 'antivirus: clamd reachable again')
      outage = 0
    }
    if (stats.clean + stats.infected + stats.error > 0) deps.onSettled?.()
    return stats
  }

  function runOnce(): Promise<ScanStats> {
    if (!passing)
      passing = pass().finally(() => {
        passing = null
      })
    return passing
  }

  async function run(): Promise<void> {
    while (running) {
      pending = false
      try {
        await runOnce()
      } catch (err) {
        log.error({ err }, 'antivirus: scan pass failed; trying again')
      }
      if (!running) break
      if (pending && outage === 0) continue
      if (outage === 1) log.warn({ clamd: settings.url }, 'antivirus: clamd unreachable; attachments stay "pending" until it is back')
      const wait = outage > 0 ? retryDelayMs(outage, settings.retryBackoff) : settings.pollMs
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait)
        wakeUp = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      wakeUp = null
    }
  }

  return {
    runOnce,
    start(): void {
      if (running) return
      running = true
      loop = run()
    },
    async stop(): Promise<void> {
      running = false
      wakeUp?.()
      await loop
      loop = null
    },
    /** New attachments were committed here: look now (unless clamd is down, then its backoff decides). */
    wake(): void {
      pending = true
      if (outage === 0) wakeUp?.()
    }
  }
}

export type AttachmentScanner = ReturnType<typeof createAttachmentScanner>
