// Machine-written mail (bounces, PEC receipts, auto-replies, lists): never a work order, never an answer.
import { detectAutomatic } from '../automatic.js'
import type { IngestStep } from './context.js'

export const detectAutomaticStep: IngestStep = {
  name: 'detect-automatic',
  run(ctx) {
    if (ctx.parsed && !ctx.spam) ctx.automatic = detectAutomatic(ctx.parsed)
    return ctx
  }
}
