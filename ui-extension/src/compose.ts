// <trc-compose>: reply, forward or internal note, with a rich-text editor (contenteditable + toolbar), CC,
// attachments (picker, drag and drop, upload progress, re-attaching files already in the conversation), the ARERA
// reasoned-reply template, and a draft kept in localStorage so that a page reload loses nothing.
import { LitElement, css, html, nothing, type PropertyValues } from 'lit'
import { ApiError, type Api } from './api.js'
import { formatDateTime, formatSize, parseAddresses } from './format.js'
import { translate, type Key, type Lang } from './i18n.js'
import { cleanPastedHtml, textToHtml } from './paste.js'
import { baseStyles } from './styles.js'
import { placeholdersIn, reasonedReplyTemplate } from './template.js'
import type { AttachmentSummary, Me, Message, WorkOrder } from './types.js'

export type ComposeMode = 'reply' | 'forward' | 'note'

export interface Draft {
  v: 1
  mode: ComposeMode
  html: string
  to: string
  cc: string
  attachmentIds: number[]
  reasonedReply: boolean
  messageIds: number[] | null
  includeAttachments: boolean
  savedAt: string
}

export function readDraft(key: string): Draft | null {
  try {
    const raw = localStorage.getItem(key)
    if (!raw) return null
    const draft = JSON.parse(raw) as Draft
    return draft && draft.v === 1 && ['reply', 'forward', 'note'].includes(draft.mode) ? draft : null
  } catch {
    return null
  }
}

interface PendingFile {
  key: number
  file: File
}

type Command = 'bold' | 'italic' | 'insertUnorderedList' | 'insertOrderedList' | 'blockquote' | 'link'

interface SelectionRoot {
  getSelection?: () => Selection | null
}

let fileKey = 0

// Material Design icons (Apache License 2.0): format_list_bulleted, format_list_numbered, format_quote, link.
export const ICONS = {
  bullets:
    'M4 10.5c-.83 0-1.5.67-1.5 1.5s.67 1.5 1.5 1.5 1.5-.67 1.5-1.5-.67-1.5-1.5-1.5zm0-6c-.83 0-1.5.67-1.5 1.5S3.17 7.5 4 7.5 5.5 6.83 5.5 6 4.83 4.5 4 4.5zm0 12c-.83 0-1.5.68-1.5 1.5s.68 1.5 1.5 1.5 1.5-.68 1.5-1.5-.67-1.5-1.5-1.5zM7 19h14v-2H7v2zm0-6h14v-2H7v2zm0-8v2h14V5H7z',
  numbers: 'M2 17h2v.5H3v1h1v.5H2v1h3v-4H2v1zm1-9h1V4H2v1h1v3zm-1 3h1.8L2 13.1v.9h3v-1H3.2L5 10.9V10H2v1zm5-6v2h14V5H7zm0 14h14v-2H7v2zm0-6h14v-2H7v2z',
  quote: 'M6 17h3l2-4V7H5v6h3zm8 0h3l2-4V7h-6v6h3z',
  attach:
    'M16.5 6v11.5c0 2.21-1.79 4-4 4s-4-1.79-4-4V5c0-1.38 1.12-2.5 2.5-2.5s2.5 1.12 2.5 2.5v10.5c0 .55-.45 1-1 1s-1-.45-1-1V6H10v9.5c0 1.38 1.12 2.5 2.5 2.5s2.5-1.12 2.5-2.5V5c0-2.21-1.79-4-4-4S7 2.79 7 5v12.5c0 3.04 2.46 5.5 5.5 5.5s5.5-2.46 5.5-5.5V6h-1.5z',
  link: 'M3.9 12c0-1.71 1.39-3.1 3.1-3.1h4V7H7c-2.76 0-5 2.24-5 5s2.24 5 5 5h4v-1.9H7c-1.71 0-3.1-1.39-3.1-3.1zM8 13h8v-2H8v2zm9-6h-4v1.9h4c1.71 0 3.1 1.39 3.1 3.1s-1.39 3.1-3.1 3.1h-4V17h4c2.76 0 5-2.24 5-5s-2.24-5-5-5z'
}

export const icon = (path: string) =>
  html`<svg class="icon" aria-hidden="true" focusable="false" viewBox="0 0 24 24"><path fill="currentColor" d=${path}></path></svg>`

export class TrcCompose extends LitElement {
  static override properties = {
    mode: { type: String },
    language: { type: String },
    api: { attribute: false },
    workOrder: { attribute: false },
    messages: { attribute: false },
    me: { attribute: false },
    draftKey: { type: String, attribute: 'draft-key' },
    to: { state: true },
    cc: { state: true },
    files: { state: true },
    attachmentIds: { state: true },
    reasonedReply: { state: true },
    messageIds: { state: true },
    includeAttachments: { state: true },
    sending: { state: true },
    progress: { state: true },
    error: { state: true },
    warning: { state: true },
    notice: { state: true },
    dragging: { state: true },
    linkOpen: { state: true },
    linkError: { state: true },
    active: { state: true },
    savedAt: { state: true }
  }

  declare mode: ComposeMode
  declare language: Lang
  declare api: Api
  declare workOrder: WorkOrder | null
  declare messages: Message[]
  declare me: Me
  declare draftKey: string
  declare to: string
  declare cc: string
  declare files: PendingFile[]
  declare attachmentIds: Set<number>
  declare reasonedReply: boolean
  declare messageIds: Set<number> | null
  declare includeAttachments: boolean
  declare sending: boolean
  declare progress: { loaded: number; total: number } | null
  declare error: string | null
  declare warning: string | null
  declare notice: string | null
  declare dragging: boolean
  declare linkOpen: boolean
  declare linkError: string | null
  declare active: Partial<Record<Command, boolean>>
  declare savedAt: string | null

  private savedRange: Range | null = null
  private saveTimer: ReturnType<typeof setTimeout> | null = null
  private placeholderWarning = ''
  private dragDepth = 0
  private toolbarIndex = 0
  private readonly onSelectionChange = () => this.updateActive()

  constructor() {
    super()
    this.mode = 'reply'
    this.language = 'it'
    this.messages = []
    this.workOrder = null
    this.draftKey = ''
    this.to = ''
    this.cc = ''
    this.files = []
    this.attachmentIds = new Set()
    this.reasonedReply = false
    this.messageIds = null
    this.includeAttachments = true
    this.sending = false
    this.progress = null
    this.error = null
    this.warning = null
    this.notice = null
    this.dragging = false
    this.linkOpen = false
    this.linkError = null
    this.active = {}
    this.savedAt = null
  }

  static override styles = [
    baseStyles,
    css`
    :host { display: block; }
    form { border: 1px solid var(--trc-control); border-radius: var(--trc-radius); padding: .75rem 1rem 1rem; background: #fff; position: relative; }
    form.note { background: #fffbf0; border-color: #b07800; }
    form.dragging { outline: 3px dashed var(--trc-focus); outline-offset: -6px; }
    h3 { margin: 0 0 .25rem; font-size: 1.05rem; }
    .row { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: .25rem 1rem; }
    @media (max-width: 640px) { .row { grid-template-columns: minmax(0, 1fr); } }
    .toolbar { display: flex; flex-wrap: wrap; gap: .25rem; padding: .3rem; border: 1px solid var(--trc-control); border-bottom: 0; border-radius: 4px 4px 0 0; background: #f3f5f7; }
    .toolbar button { background: #fff; color: var(--trc-text); border-color: var(--trc-control); min-width: 2.25rem; justify-content: center; padding: .25rem .5rem; }
    .toolbar button:hover:not(:disabled) { background: #e8edf1; }
    .toolbar button[aria-pressed="true"] { background: #dfe9f5; border-color: var(--trc-link); color: #062f54; }
    .toolbar .sep { width: 1px; background: var(--trc-border); margin: .15rem .25rem; }
    .toolbar .b { font-weight: 700; }
    .toolbar .i { font-style: italic; font-family: Georgia, serif; }
    .editor {
      min-height: 11rem; max-height: 32rem; overflow: auto; padding: .6rem .75rem; border: 1px solid var(--trc-control);
      border-radius: 0 0 4px 4px; background: #fff; font-size: 15px; line-height: 1.5;
    }
    .editor:focus-visible { outline: 3px solid var(--trc-focus); outline-offset: -1px; }
    .editor blockquote { margin: .5em 0; padding-left: .8em; border-left: 3px solid #9aa5b1; color: #3d4852; }
    .editor p { margin: 0 0 .6em; }
    .editor h3 { font-size: 1rem; margin: .8em 0 .3em; }
    .linkbar { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; padding: .5rem; border: 1px solid var(--trc-control); border-bottom: 0; background: #f3f5f7; }
    .linkbar .field { margin: 0; flex: 1 1 14rem; }
    .dropzone { margin-top: .75rem; padding: .6rem .75rem; border: 2px dashed var(--trc-control); border-radius: 4px; background: #fafbfc; }
    .dropzone.active { border-color: var(--trc-focus); background: #eef4fb; }
    .files { list-style: none; margin: .5rem 0 0; padding: 0; display: grid; gap: .35rem; }
    .files li { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: .2rem .75rem; align-items: center; }
    .files .name { overflow-wrap: anywhere; }
    .files progress { grid-column: 1 / -1; width: 100%; height: .6rem; accent-color: var(--trc-primary); }
    details { margin-top: .6rem; }
    summary { cursor: pointer; font-weight: 600; padding: .2rem 0; }
    fieldset { border: 0; margin: 0; padding: .25rem 0 0; }
    .checks { display: grid; gap: .2rem; max-height: 14rem; overflow: auto; }
    .checks label { font-weight: 400; display: flex; gap: .5rem; align-items: flex-start; overflow-wrap: anywhere; }
    .checks input, .check input { min-height: 0; margin-top: .25rem; width: 1.05rem; height: 1.05rem; flex: none; }
    .check { display: flex; gap: .5rem; align-items: flex-start; font-weight: 400; margin-top: .6rem; }
    .actions { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin-top: 1rem; }
    .actions .spacer { flex: 1; }
    .saved { font-size: .85rem; }
    .link-error { flex-basis: 100%; margin: 0; }
    .actions.template-row { margin-top: .25rem; }
    .editor-label { margin: .6rem 0 .25rem; font-weight: 600; }
    .total { margin-top: .5rem; }
    .total progress { width: 100%; height: .6rem; accent-color: var(--trc-primary); }
  `
  ]

  // ---------------------------------------------------------------------------------------------------------
  // Life cycle

  private t(key: Key, params?: Record<string, string | number>): string {
    return translate(this.language, key, params)
  }

  override connectedCallback(): void {
    super.connectedCallback()
    document.addEventListener('selectionchange', this.onSelectionChange)
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    document.removeEventListener('selectionchange', this.onSelectionChange)
    if (this.saveTimer) {
      clearTimeout(this.saveTimer)
      this.saveDraft()
    }
  }

  protected override firstUpdated(): void {
    const draft = this.draftKey ? readDraft(this.draftKey) : null
    if (draft) {
      this.editor.innerHTML = draft.html
      this.to = draft.to
      this.cc = draft.cc
      this.attachmentIds = new Set(draft.attachmentIds)
      this.reasonedReply = draft.reasonedReply
      this.messageIds = draft.messageIds ? new Set(draft.messageIds) : null
      this.includeAttachments = draft.includeAttachments
      this.savedAt = draft.savedAt
      this.notice = this.t('draftRestored')
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('mode') && changed.get('mode') !== undefined) this.scheduleSave()
  }

  /** Moves focus into the form: the recipient for a forward, otherwise the editor. */
  override focus(): void {
    void this.updateComplete.then(() => {
      const target = this.mode === 'forward' ? this.renderRoot.querySelector<HTMLInputElement>('#to') : this.editor
      target?.focus()
    })
  }

  private get editor(): HTMLDivElement {
    return this.renderRoot.querySelector('.editor') as HTMLDivElement
  }

  // ---------------------------------------------------------------------------------------------------------
  // Draft

  private scheduleSave(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer)
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null
      this.saveDraft()
    }, 400)
  }

  private saveDraft(): void {
    if (!this.draftKey || !this.editor) return
    const draft: Draft = {
      v: 1,
      mode: this.mode,
      html: this.editor.innerHTML,
      to: this.to,
      cc: this.cc,
      attachmentIds: [...this.attachmentIds],
      reasonedReply: this.reasonedReply,
      messageIds: this.messageIds ? [...this.messageIds] : null,
      includeAttachments: this.includeAttachments,
      savedAt: new Date().toISOString()
    }
    try {
      localStorage.setItem(this.draftKey, JSON.stringify(draft))
      this.savedAt = draft.savedAt
    } catch {
      // storage full or disabled: the draft simply is not kept
    }
  }

  clearDraft(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer)
    this.saveTimer = null
    try {
      if (this.draftKey) localStorage.removeItem(this.draftKey)
    } catch {
      // ignore
    }
  }

  private discard(): void {
    const empty = !this.editor.textContent?.trim() && this.files.length === 0
    if (!empty && !confirm(this.t('discardConfirm'))) return
    this.clearDraft()
    this.dispatchEvent(new CustomEvent('trc-close', { bubbles: true, composed: true, detail: { discarded: true } }))
  }

  // ---------------------------------------------------------------------------------------------------------
  // Editor

  private selection(): Selection | null {
    const root = this.renderRoot as ShadowRoot & SelectionRoot
    return root.getSelection?.() ?? document.getSelection()
  }

  private selectionInEditor(): Range | null {
    const sel = this.selection()
    if (!sel || sel.rangeCount === 0) return null
    const range = sel.getRangeAt(0)
    return this.editor.contains(range.commonAncestorContainer) ? range : null
  }

  private updateActive(): void {
    const range = this.selectionInEditor()
    if (!range) return
    let node: Node | null = range.startContainer
    const inside = (name: string) => {
      for (let n: Node | null = node; n && n !== this.editor; n = n.parentNode) if ((n as Element).localName === name) return true
      return false
    }
    const active: Partial<Record<Command, boolean>> = {
      bold: document.queryCommandState('bold'),
      italic: document.queryCommandState('italic'),
      insertUnorderedList: inside('ul'),
      insertOrderedList: inside('ol'),
      blockquote: inside('blockquote'),
      link: inside('a')
    }
    node = null
    if (JSON.stringify(active) !== JSON.stringify(this.active)) this.active = active
  }

  private exec(command: Command): void {
    this.editor.focus()
    if (this.savedRange) this.restoreRange()
    if (command === 'link') {
      if (this.active.link) document.execCommand('unlink')
      else this.openLink()
      return
    }
    if (command === 'blockquote') {
      document.execCommand('formatBlock', false, this.active.blockquote ? 'p' : 'blockquote')
    } else {
      document.execCommand(command)
    }
    this.updateActive()
    this.scheduleSave()
  }

  private restoreRange(): void {
    const sel = this.selection()
    if (this.savedRange && sel) {
      sel.removeAllRanges()
      sel.addRange(this.savedRange)
    }
    this.savedRange = null
  }

  private openLink(): void {
    this.savedRange = this.selectionInEditor()?.cloneRange() ?? null
    this.linkOpen = true
    this.linkError = null
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLInputElement>('#link-url')?.focus())
  }

  private applyLink(event: Event): void {
    event.preventDefault()
    const input = this.renderRoot.querySelector<HTMLInputElement>('#link-url')
    let url = (input?.value ?? '').trim()
    if (/^[^\s@/:]+@[^\s@/]+\.[^\s@/]+$/.test(url)) url = `mailto:${url}`
    else if (/^www\./i.test(url)) url = `https://${url}`
    if (!/^(?:https?:\/\/[^/\\\s]+|mailto:[^\s]+@)/i.test(url)) {
      this.linkError = this.t('linkInvalid')
      input?.focus()
      return
    }
    const range = this.savedRange
    this.linkOpen = false
    this.editor.focus()
    this.restoreRange()
    if (!range || range.collapsed) {
      const text = url.replace(/^mailto:/i, '')
      document.execCommand(
        'insertHTML',
        false,
        `<a href="${url.replace(/"/g, '%22')}">${text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] as string)}</a>&nbsp;`
      )
    } else {
      document.execCommand('createLink', false, url)
    }
    this.scheduleSave()
  }

  private cancelLink(): void {
    this.linkOpen = false
    this.editor.focus()
    this.restoreRange()
  }

  private onEditorKeydown(event: KeyboardEvent): void {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k') {
      event.preventDefault()
      this.exec('link')
    }
  }

  private onPaste(event: ClipboardEvent): void {
    const data = event.clipboardData
    if (!data) return
    const htmlData = data.getData('text/html')
    const text = data.getData('text/plain')
    if (!htmlData && !text) return
    event.preventDefault()
    const cleaned = htmlData ? cleanPastedHtml(htmlData) : textToHtml(text)
    document.execCommand('insertHTML', false, cleaned || textToHtml(text))
    this.scheduleSave()
  }

  private onToolbarKeydown(event: KeyboardEvent): void {
    const buttons = Array.from(this.renderRoot.querySelectorAll<HTMLButtonElement>('.toolbar button'))
    const current = buttons.indexOf(event.target as HTMLButtonElement)
    if (current < 0) return
    let next: number
    if (event.key === 'ArrowRight') next = (current + 1) % buttons.length
    else if (event.key === 'ArrowLeft') next = (current - 1 + buttons.length) % buttons.length
    else if (event.key === 'Home') next = 0
    else if (event.key === 'End') next = buttons.length - 1
    else return
    event.preventDefault()
    this.toolbarIndex = next
    this.requestUpdate()
    buttons[next]?.focus()
  }

  private insertTemplate(): void {
    const text = this.editor.textContent?.trim() ?? ''
    if (text && !confirm(this.t('templateReplaceConfirm'))) return
    const wo = this.workOrder
    const selected = this.existingAttachments()
      .filter((a) => this.attachmentIds.has(a.id))
      .map((a) => a.filename)
    const channel = wo?.channel ? this.channelName(wo.channel) : null
    this.editor.innerHTML = reasonedReplyTemplate({
      lang: this.language,
      contributorName: wo?.contributor?.displayName ?? null,
      reference: wo?.reference ?? null,
      workOrderId: wo?.id ?? 0,
      subject: wo?.subject ?? null,
      receivedAt: wo?.receivedAt ?? null,
      channel,
      typeLabel: wo?.type ? this.t(`type_${wo.type}` as Key) : null,
      operatorName: this.me.name,
      operatorEmail: this.me.email,
      attachmentNames: [...selected, ...this.files.map((f) => f.file.name)]
    })
    this.reasonedReply = true
    this.notice = this.t('templateApplied')
    this.editor.focus()
    this.scheduleSave()
  }

  private channelName(channel: string): string {
    const key = ({ email: 'ch_email', web: 'ch_web', app: 'ch_app', pec: 'ch_pec' } as Record<string, Key>)[channel]
    return key ? this.t(key) : channel
  }

  // ---------------------------------------------------------------------------------------------------------
  // Attachments

  private existingAttachments(): AttachmentSummary[] {
    const seen = new Set<number>()
    const out: AttachmentSummary[] = []
    for (const m of this.messages) {
      for (const a of m.attachments) {
        if (a.inline || seen.has(a.id)) continue
        seen.add(a.id)
        out.push(a)
      }
    }
    return out
  }

  private addFiles(list: FileList | File[] | null): void {
    if (!list || list.length === 0) return
    this.files = [...this.files, ...Array.from(list).map((file) => ({ key: ++fileKey, file }))]
    this.error = null
  }

  private removeFile(key: number): void {
    this.files = this.files.filter((f) => f.key !== key)
    this.renderRoot.querySelector<HTMLButtonElement>('#pick')?.focus()
  }

  private hasFiles(event: DragEvent): boolean {
    return Array.from(event.dataTransfer?.types ?? []).includes('Files')
  }

  private onDragEnter(event: DragEvent): void {
    if (!this.hasFiles(event) || this.mode === 'note') return
    event.preventDefault()
    this.dragDepth++
    this.dragging = true
  }

  private onDragOver(event: DragEvent): void {
    if (!this.hasFiles(event) || this.mode === 'note') return
    event.preventDefault()
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy'
  }

  private onDragLeave(): void {
    this.dragDepth = Math.max(0, this.dragDepth - 1)
    if (this.dragDepth === 0) this.dragging = false
  }

  private onDrop(event: DragEvent): void {
    if (!this.hasFiles(event) || this.mode === 'note') return
    event.preventDefault()
    this.dragDepth = 0
    this.dragging = false
    this.addFiles(event.dataTransfer?.files ?? null)
  }

  /** Progress of one file within the single multipart upload, by its position in the body. */
  private fileProgress(index: number): number {
    if (!this.progress) return 0
    const sizes = this.files.map((f) => f.file.size)
    const total = sizes.reduce((a, b) => a + b, 0) || 1
    const scale = this.progress.total / total
    const before = sizes.slice(0, index).reduce((a, b) => a + b, 0) * scale
    const size = (sizes[index] ?? 0) * scale
    if (this.progress.loaded >= this.progress.total) return 100
    return Math.max(0, Math.min(100, size === 0 ? 100 : ((this.progress.loaded - before) / size) * 100))
  }

  // ---------------------------------------------------------------------------------------------------------
  // Send

  private async submit(event: Event): Promise<void> {
    event.preventDefault()
    if (this.sending) return
    this.error = null
    this.warning = null
    this.notice = null
    const raw = this.editor.innerHTML
    const text = (this.editor.textContent ?? '').replace(/\u00a0/g, ' ').trim()
    if (!text) {
      this.error = this.t('emptyBody')
      this.editor.focus()
      return
    }
    const to = parseAddresses(this.to)
    const cc = parseAddresses(this.cc)
    const invalid = [...to.invalid, ...cc.invalid]
    if (this.mode !== 'note' && invalid.length) {
      this.error = this.t('invalidAddresses', { list: invalid.join(', ') })
      return
    }
    if (this.mode === 'forward' && to.valid.length === 0) {
      this.error = this.t('needRecipient')
      this.renderRoot.querySelector<HTMLInputElement>('#to')?.focus()
      return
    }
    const placeholders = placeholdersIn(text)
    if (this.mode === 'reply' && placeholders.length && this.placeholderWarning !== placeholders.join('|')) {
      this.placeholderWarning = placeholders.join('|')
      this.warning = this.t('placeholdersLeft', { list: placeholders.slice(0, 4).join(', ') })
      return
    }
    const htmlBody = cleanPastedHtml(raw) || textToHtml(text)
    const id = this.workOrder?.id
    if (!id) return
    this.sending = true
    try {
      let message: Message | null = null
      const files = this.files.map((f) => f.file)
      if (this.mode === 'note') {
        message = await this.api.send<Message>('POST', `/work-orders/${id}/notes`, { html: htmlBody })
      } else if (this.mode === 'reply') {
        const fields = {
          html: htmlBody,
          ...(to.valid.length ? { to: to.valid } : {}),
          ...(cc.valid.length ? { cc: cc.valid } : {}),
          ...(this.attachmentIds.size ? { attachmentIds: [...this.attachmentIds] } : {}),
          ...(this.reasonedReply ? { reasonedReply: true } : {})
        }
        message = files.length
          ? await this.api.upload<Message>(`/work-orders/${id}/reply`, fields, files, (p) => {
              this.progress = p
            })
          : await this.api.send<Message>('POST', `/work-orders/${id}/reply`, fields)
      } else {
        const all = this.forwardable().map((m) => m.id)
        const chosen = this.messageIds ? all.filter((m) => this.messageIds?.has(m)) : null
        if (chosen && chosen.length === 0) {
          this.error = this.t('nothingSelected')
          return
        }
        const fields = {
          to: to.valid,
          ...(cc.valid.length ? { cc: cc.valid } : {}),
          note: htmlBody,
          ...(chosen && chosen.length !== all.length ? { messageIds: chosen } : {}),
          includeAttachments: this.includeAttachments
        }
        message = files.length
          ? await this.api.upload<Message>(`/work-orders/${id}/forward`, fields, files, (p) => {
              this.progress = p
            })
          : await this.api.send<Message>('POST', `/work-orders/${id}/forward`, fields)
      }
      this.clearDraft()
      this.dispatchEvent(new CustomEvent('trc-sent', { bubbles: true, composed: true, detail: { mode: this.mode, message } }))
    } catch (err) {
      this.error = err instanceof ApiError || err instanceof Error ? err.message : String(err)
    } finally {
      this.sending = false
      this.progress = null
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Render

  private toolbarButton(command: Command, label: Key, content: unknown, index: number) {
    const pressed = command === 'link' ? !!this.active.link : !!this.active[command]
    return html`<button type="button" class=${command === 'bold' ? 'b' : command === 'italic' ? 'i' : ''}
      tabindex=${index === this.toolbarIndex ? 0 : -1}
      aria-pressed=${command === 'link' ? nothing : String(pressed)}
      aria-label=${command === 'link' && pressed ? this.t('removeLink') : this.t(label)}
      title=${command === 'link' && pressed ? this.t('removeLink') : this.t(label)}
      @mousedown=${(e: Event) => e.preventDefault()}
      @click=${() => this.exec(command)}>${content}</button>`
  }

  private renderToolbar() {
    return html`<div class="toolbar" role="toolbar" aria-label=${this.t('toolbar')} aria-controls="editor" @keydown=${this.onToolbarKeydown}>
      ${this.toolbarButton('bold', 'bold', html`<span aria-hidden="true">${this.language === 'it' ? 'G' : 'B'}</span>`, 0)}
      ${this.toolbarButton('italic', 'italic', html`<span aria-hidden="true">${this.language === 'it' ? 'C' : 'I'}</span>`, 1)}
      <span class="sep" aria-hidden="true"></span>
      ${this.toolbarButton('insertUnorderedList', 'bulletList', icon(ICONS.bullets), 2)}
      ${this.toolbarButton('insertOrderedList', 'numberedList', icon(ICONS.numbers), 3)}
      ${this.toolbarButton('blockquote', 'quote', icon(ICONS.quote), 4)}
      ${this.toolbarButton('link', 'insertLink', icon(ICONS.link), 5)}
    </div>
    ${
      this.linkOpen
        ? html`<div class="linkbar" @keydown=${(e: KeyboardEvent) => {
            if (e.key === 'Escape') {
              e.preventDefault()
              this.cancelLink()
            }
          }}>
      <div class="field"><label for="link-url">${this.t('linkUrl')}</label>
        <input id="link-url" type="text" inputmode="url" placeholder="https://" aria-invalid=${this.linkError ? 'true' : 'false'}
          aria-describedby=${this.linkError ? 'link-error' : nothing}
          @keydown=${(e: KeyboardEvent) => {
            if (e.key === 'Enter') this.applyLink(e)
          }}></div>
      <button type="button" @click=${this.applyLink}>${this.t('linkApply')}</button>
      <button type="button" class="secondary" @click=${this.cancelLink}>${this.t('cancel')}</button>
      ${this.linkError ? html`<p id="link-error" class="alert error link-error" role="alert">${this.linkError}</p>` : nothing}
    </div>`
        : nothing
    }`
  }

  private renderAttachments() {
    if (this.mode === 'note') return nothing
    const existing = this.mode === 'reply' ? this.existingAttachments() : []
    return html`
      <div class="dropzone ${this.dragging ? 'active' : ''}">
        <span id="attach-label"><strong>${this.t('attach')}</strong> — ${this.dragging ? this.t('dropHere') : this.t('attachHint')}</span>
        <button type="button" id="pick" class="link" aria-describedby="attach-label" @click=${() => this.renderRoot.querySelector<HTMLInputElement>('#files')?.click()}>${this.t('chooseFiles')}</button>
        <input id="files" type="file" multiple hidden aria-label=${this.t('attach')}
          @change=${(e: Event) => {
            const input = e.target as HTMLInputElement
            this.addFiles(input.files)
            input.value = ''
          }}>
        ${
          this.files.length
            ? html`<ul class="files" aria-label=${this.t('attachments')}>
          ${this.files.map(
            (f, i) => html`<li>
            <span class="name">${icon(ICONS.attach)} ${f.file.name} <span class="muted">(${formatSize(f.file.size, this.language)})</span></span>
            <button type="button" class="link" ?disabled=${this.sending} aria-label=${this.t('remove', { name: f.file.name })} @click=${() => this.removeFile(f.key)}>${this.t('remove', { name: '' }).trim()}</button>
            ${this.progress ? html`<progress max="100" .value=${Math.round(this.fileProgress(i))} aria-label=${this.t('uploadProgress', { name: f.file.name })}></progress>` : nothing}
          </li>`
          )}
        </ul>`
            : nothing
        }
        ${
          this.progress && this.files.length > 1
            ? html`<div class="total"><label for="total-progress" class="hint">${this.t('uploadTotal')}</label>
          <progress id="total-progress" max=${this.progress.total} .value=${this.progress.loaded}></progress></div>`
            : nothing
        }
      </div>
      ${
        existing.length
          ? html`<details>
        <summary>${this.t('existingAttachments')} (${existing.length})</summary>
        <fieldset><legend class="sr-only">${this.t('existingAttachments')}</legend><div class="checks">
          ${existing.map(
            (a) =>
              html`<label><input type="checkbox" .checked=${this.attachmentIds.has(a.id)} @change=${(e: Event) => {
                const next = new Set(this.attachmentIds)
                if ((e.target as HTMLInputElement).checked) next.add(a.id)
                else next.delete(a.id)
                this.attachmentIds = next
                this.scheduleSave()
              }}> <span>${a.filename} <span class="muted">(${formatSize(a.size, this.language)})</span></span></label>`
          )}
        </div></fieldset>
      </details>`
          : nothing
      }`
  }

  /** What a forward can carry: the conversation without internal notes and machine-written mail. */
  private forwardable(): Message[] {
    return this.messages.filter((m) => m.channel !== 'note' && !m.automaticKind)
  }

  private renderForwardChoice() {
    if (this.mode !== 'forward') return nothing
    const chosen = this.messageIds
    const messages = this.forwardable()
    return html`<details>
      <summary>${this.t('selectMessages')} (${chosen ? chosen.size : messages.length}/${messages.length})</summary>
      <fieldset><legend class="sr-only">${this.t('selectMessages')}</legend><div class="checks">
        <label><input type="checkbox" .checked=${!chosen || chosen.size === messages.length} @change=${(e: Event) => {
          this.messageIds = (e.target as HTMLInputElement).checked ? null : new Set()
          this.scheduleSave()
        }}> <strong>${this.t('allMessages')}</strong></label>
        ${messages.map(
          (m) =>
            html`<label><input type="checkbox" .checked=${!chosen || chosen.has(m.id)} @change=${(e: Event) => {
              const next = new Set(chosen ?? messages.map((x) => x.id))
              if ((e.target as HTMLInputElement).checked) next.add(m.id)
              else next.delete(m.id)
              this.messageIds = next.size === messages.length ? null : next
              this.scheduleSave()
            }}> <span>${formatDateTime(m.receivedAt ?? m.createdAt, this.language)} — ${m.fromName || m.from || m.operator?.name || ''} — ${m.subject || this.t('noSubject')}</span></label>`
        )}
      </div></fieldset>
    </details>
    <label class="check"><input type="checkbox" .checked=${this.includeAttachments} @change=${(e: Event) => {
      this.includeAttachments = (e.target as HTMLInputElement).checked
      this.scheduleSave()
    }}> ${this.t('includeAttachments')}</label>`
  }

  override render() {
    const mode = this.mode
    // the server's choice: the citizen's conversation, never a stranger who only quoted our Message-ID
    const defaultTo = this.workOrder?.replyRecipient ?? null
    const editorLabel = mode === 'note' ? 'noteEditorLabel' : mode === 'forward' ? 'forwardNoteLabel' : 'editorLabel'
    return html`<form class=${`${mode}${this.dragging ? ' dragging' : ''}`} novalidate aria-labelledby="compose-title" aria-busy=${this.sending ? 'true' : 'false'}
        @submit=${this.submit}
        @dragenter=${this.onDragEnter} @dragover=${this.onDragOver} @dragleave=${this.onDragLeave} @drop=${this.onDrop}>
      <h3 id="compose-title">${this.t(`composeTitle_${mode}`)}</h3>
      ${mode === 'note' ? html`<p class="hint">${this.t('noteHint')}</p>` : nothing}
      ${
        mode !== 'note'
          ? html`<div class="row">
        <div class="field">
          <label for="to">${mode === 'forward' ? this.t('recipients') : this.t('recipient')}</label>
          <input id="to" type="text" inputmode="email" autocomplete="off" .value=${this.to}
            placeholder=${mode === 'reply' && defaultTo ? defaultTo : ''}
            aria-required=${mode === 'forward' ? 'true' : 'false'}
            aria-describedby="to-hint"
            @input=${(e: Event) => {
              this.to = (e.target as HTMLInputElement).value
              this.scheduleSave()
            }}>
          <span id="to-hint" class="hint">${mode === 'reply' ? `${this.t('defaultRecipient')}${defaultTo ? ` (${defaultTo})` : ''}` : this.t('recipientsHint')}</span>
        </div>
        <div class="field">
          <label for="cc">${this.t('cc')}</label>
          <input id="cc" type="text" inputmode="email" autocomplete="off" .value=${this.cc} aria-describedby="cc-hint"
            @input=${(e: Event) => {
              this.cc = (e.target as HTMLInputElement).value
              this.scheduleSave()
            }}>
          <span id="cc-hint" class="hint">${this.t('recipientsHint')}</span>
        </div>
      </div>`
          : nothing
      }
      ${
        mode === 'reply'
          ? html`<div class="actions template-row">
        <button type="button" class="secondary" @click=${this.insertTemplate}>${this.t('template')}</button>
      </div>`
          : nothing
      }
      <p id="editor-label" class="editor-label">${this.t(editorLabel)}</p>
      ${this.renderToolbar()}
      <div id="editor" class="editor" contenteditable="true" role="textbox" aria-multiline="true" aria-labelledby="editor-label"
        spellcheck="true" lang=${this.language}
        @input=${() => {
          this.placeholderWarning = ''
          this.scheduleSave()
        }}
        @keydown=${this.onEditorKeydown}
        @paste=${this.onPaste}
        @keyup=${this.updateActive} @mouseup=${this.updateActive}></div>
      ${
        mode === 'reply'
          ? html`<label class="check"><input type="checkbox" .checked=${this.reasonedReply}
        @change=${(e: Event) => {
          this.reasonedReply = (e.target as HTMLInputElement).checked
          this.scheduleSave()
        }}> ${this.t('reasonedReply')}</label>`
          : nothing
      }
      ${this.renderForwardChoice()}
      ${this.renderAttachments()}
      ${this.files.length ? html`<p class="hint">${this.t('filesNotKept')}</p>` : nothing}
      <div role="alert">${this.error ? html`<p class="alert error">${this.error}</p>` : nothing}${this.warning ? html`<p class="alert warn">${this.warning}</p>` : nothing}</div>
      <div role="status">${this.notice ? html`<p class="alert ok">${this.notice}</p>` : nothing}</div>
      <div class="actions">
        <button type="submit" ?disabled=${this.sending}>${this.sending ? this.t('sending') : this.t('send')}</button>
        <button type="button" class="secondary" ?disabled=${this.sending} @click=${() => this.dispatchEvent(new CustomEvent('trc-close', { bubbles: true, composed: true }))}>${this.t('close')}</button>
        <span class="spacer"></span>
        ${this.savedAt ? html`<span class="saved muted">${this.t('draftSaved')} ${formatDateTime(this.savedAt, this.language).split(', ').pop()}</span>` : nothing}
        <button type="button" class="danger" ?disabled=${this.sending} @click=${this.discard}>${this.t('discard')}</button>
      </div>
    </form>`
  }
}

if (!customElements.get('trc-compose')) customElements.define('trc-compose', TrcCompose)

declare global {
  interface HTMLElementTagNameMap {
    'trc-compose': TrcCompose
  }
}
