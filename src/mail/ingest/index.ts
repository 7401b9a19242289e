// The ingest pipeline: one raw message in, exactly one outcome out. It reads as its steps, in order; each takes
// the context and returns it, richer. A step that decides the mail's fate (a copy we already have, unreadable
// mail) sets `disposition`, and then only `persist` runs. `persist` commits everything in one transaction.
import type { IngestContext, IngestDeps, IngestResult, IngestStep, IncomingMail } from './context.js'
import { newContext } from './context.js'
import { authenticateSenderStep } from './authenticate-sender.js'
import { checkSize } from './check-size.js'
import { classify } from './classify.js'
import { dedupe } from './dedupe.js'
import { detectAutomaticStep } from './detect-automatic.js'
import { detectSpamStep } from './detect-spam.js'
import { findThreadStep } from './find-thread.js'
import { linkEvidence } from './link-evidence.js'
import { matchSenderStep } from './match-sender.js'
import { parseSource } from './parse-source.js'
import { persist } from './persist.js'
import { prepareContent } from './prepare-content.js'
import { unwrapPecStep } from './unwrap-pec.js'

export const STEPS: readonly IngestStep[] = [
  checkSize, //           over the size limit? then headers only, raw source to quarantine
  parseSource, //         MIME → ParsedMail (unreadable → quarantine)
  detectSpamStep, //      the receiving server's spam verdict, blocked senders → spam list
  detectAutomaticStep, // bounces, PEC receipts, auto-replies, lists: never a work order
  unwrapPecStep, //       certified mail: the person's message is inside the envelope
  dedupe, //              a copy of a message we stored? (content-aware, never by subject alone)
  matchSenderStep, //     which contributor wrote
  authenticateSenderStep, // did the receiving server vouch for the sender? (the confirmation depends on it)
  findThreadStep, //      which conversation it continues
  linkEvidence, //        which outbound message a bounce or receipt is about
  classify, //            the ARERA request type it suggests
  prepareContent, //      sanitized body, attachment bytes written (outside the transaction)
  persist //              one transaction: message, work order, confirmation, audit, checkpoint
]

export async function ingestMail(deps: IngestDeps, incoming: IncomingMail, steps: readonly IngestStep[] = STEPS): Promise<IngestResult> {
  let ctx: IngestContext = newContext(deps, incoming)
  for (const step of steps) {
    if (ctx.disposition && step !== persist) continue
    ctx = await step.run(ctx)
  }
  if (!ctx.result) throw new Error('ingest pipeline ended without persisting the mail')
  return ctx.result
}

export { LeaseLostError } from './context.js'
export type { IngestContext, IngestDeps, IngestOutcome, IngestResult, IngestStep, IncomingMail } from './context.js'
