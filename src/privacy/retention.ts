// The daily retention job: personal data of closed work orders past `closedWorkOrderDays` (and past the ARERA
// register's five calendar years), the quarantines and the spam list past `quarantineDays`, audit entries past
// `auditDays`. `plan()` is the dry run: the same selection, counted, nothing changed.
import type { FastifyBaseLogger } from 'fastify'
import { romeDate } from '../domain/working-days.js'
import { romeHour } from '../arera/digest.js'
import type { ResolvedOptions } from '../options.js'
import type { Repositories } from '../repositories/index.js'
import type { PurgeKind } from '../repositories/privacy.js'
import type { AttachmentStorage } from '../storage.js'
import { anonymizeWorkOrders, registerCutoff } from './anonymize.js'

export interface RetentionReport {
  dryRun: boolean
  at: string
  cutoffs: { registeredBefore: string; quietSince: string; quarantineBefore: string; auditBefore: string }
  /** Work orders whose personal data is (or would be) removed. */
  workOrderIds: number[]
  messages: number
  attachments: number
  quarantine: number
  spam: number
  infected: number
  audit: number
}

const DAY = 86_400_000
const BATCH = 200
const SETTING = 'retention.lastRunDay'

export function createRetention(deps: {
  repos: Repositories
  storage: AttachmentStorage
  options: ResolvedOptions
  log: Pick<FastifyBaseLogger, 'info' | 'error'>
}) {
  const { repos, storage, options, log } = deps
  const policy = options.retention
  let timer: NodeJS.Timeout | null = null
  let running: Promise<unknown> | null = null

  function cutoffs(now: Date) {
    return {
      registeredBefore: registerCutoff(now),
      quietSince: new Date(now.getTime() - policy.closedWorkOrderDays * DAY),
      quarantineBefore: new Date(now.getTime() - policy.quarantineDays * DAY),
      auditBefore: new Date(now.getTime() - policy.auditDays * DAY)
    }
  }

  async function execute(now: Date, dryRun: boolean): Promise<RetentionReport> {
    const c = cutoffs(now)
    const workOrderIds: number[] = []
    let messages = 0
    let attachments = 0
    if (dryRun) {
      workOrderIds.push(...(await repos.privacy.listExpiredWorkOrders(c.registeredBefore, c.quietSince, 100_000)))
      const messageIds = await repos.privacy.messageIdsOfWorkOrders(workOrderIds)
      messages = messageIds.length
      attachments = (await repos.privacy.attachmentFilesOfMessages(messageIds)).length
    } else {
      for (;;) {
        const batch = await repos.privacy.listExpiredWorkOrders(c.registeredBefore, c.quietSince, BATCH)
        if (batch.length === 0) break
        const done = await anonymizeWorkOrders(repos, storage, batch, now)
        workOrderIds.push(...batch)
        messages += done.messages
        attachments += done.attachments
      }
    }
    const purged: Record<PurgeKind, number> = { quarantine: 0, spam: 0, infected: 0, audit: 0 }
    for (const kind of ['quarantine', 'spam', 'infected', 'audit'] as const) {
      const before = kind === 'audit' ? c.auditBefore : c.quarantineBefore
      purged[kind] = dryRun ? await repos.privacy.countPurgeable(kind, before) : await repos.privacy.purge(kind, before)
    }
    const report: RetentionReport = {
      dryRun,
      at: now.toISOString(),
      cutoffs: {
        registeredBefore: c.registeredBefore.toISOString(),
        quietSince: c.quietSince.toISOString(),
        quarantineBefore: c.quarantineBefore.toISOString(),
        auditBefore: c.auditBefore.toISOString()
      },
      workOrderIds,
      messages,
      attachments,
      ...purged
    }
    if (!dryRun) {
      const { workOrderIds: ids, ...summary } = report
      await repos.audit.record({ actorType: 'system', action: 'retention.run', details: { ...summary, workOrders: ids.length } }, now)
    }
    return report
  }

  /** Once a day after `hour` (Rome): the day is recorded first, so instances racing at the same minute at worst both run an idempotent job. */
  async function tick(): Promise<void> {
    const now = new Date()
    if (policy.hour === null || romeHour(now) < policy.hour) return
    const day = romeDate(now)
    if ((await repos.settings.get<string>(SETTING)) === day) return
    await repos.settings.set(SETTING, day)
    const report = await execute(now, false)
    log.info({ workOrders: report.workOrderIds.length, quarantine: report.quarantine, spam: report.spam, audit: report.audit }, 'retention: daily run done')
  }

  return {
    /** The dry run: what a run now would remove. */
    plan: (now: Date = new Date()) => execute(now, true),
    run: (now: Date = new Date()) => execute(now, false),
    start(intervalMs = 60_000): void {
      if (policy.hour === null || timer) return
      const check = () => {
        if (running) return
        running = tick()
          .catch((err: unknown) => log.error({ err }, 'retention: run failed; retrying at the next check'))
          .finally(() => {
            running = null
          })
      }
      timer = setInterval(check, intervalMs)
      timer.unref()
      check()
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer)
      timer = null
      await running
    }
  }
}

export type Retention = ReturnType<typeof createRetention>
