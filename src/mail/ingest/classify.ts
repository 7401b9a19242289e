// The ARERA request type a new contact suggests (the operator confirms or changes it).
import { suggestRequestType } from '../../domain/arera.js'
import { htmlToText } from '../sanitize.js'
import type { IngestStep } from './context.js'

export const classify: IngestStep = {
  name: 'classify',
  run(ctx) {
    const mail = ctx.content
    if (!mail || ctx.automatic || ctx.spam) return ctx
    ctx.suggestion = suggestRequestType(mail.subject ?? '', (mail.text ?? htmlToText(mail.html ?? '')).slice(0, 20_000))
    return ctx
  }
}
