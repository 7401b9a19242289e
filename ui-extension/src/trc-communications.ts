// <trc-communications work-order-id="123" api-base="/api/communications" lang="it">: the Communications tab of a
// work order. The whole conversation (live: refetched with ETags when the server's event stream names this work
// order, polled while the stream is down), the work order's ARERA clock, state changes,
// the .docx export and its sending, reply / forward / internal note. What the operator may not do is not shown;
// the API refuses it anyway.
import { LitElement, css, html, nothing, type PropertyValues, type TemplateResult } from 'lit'
import { repeat } from 'lit/directives/repeat.js'
import { Api, ApiError } from './api.js'
import { splitHtml, splitText, type SplitBody } from './body.js'
import { ICONS, icon, readDraft, type ComposeMode, type TrcCompose } from './compose.js'
import { calendarDaysUntil, formatDate, formatDateTime, formatSize, parseAddresses } from './format.js'
import { isLang, translate, type Key, type Lang } from './i18n.js'
import { textToHtml } from './paste.js'
import { subscribe, type LiveChange, type LiveSubscription } from './live.js'
import { baseStyles } from './styles.js'
import { REQUEST_TYPES, STATES, type Contributor, type Conversation, type Me, type Message, type WorkOrder, type WorkOrderState } from './types.js'
import './compose.js'
import './mail-body.js'

const POLL_MS = 5000
const FAST_POLL_MS = 1500
/** With the event stream up, a poll only as a safety net. */
const LIVE_POLL_MS = 60_000
const ORDER_KEY = 'trc-order'

type Panel = 'state' | 'type' | 'document' | null
type Kind = 'citizen' | 'operator' | 'note' | 'system'

export class TrcCommunications extends LitElement {
  static override properties = {
    workOrderId: { type: String, attribute: 'work-order-id' },
    apiBase: { type: String, attribute: 'api-base' },
    language: { type: String, attribute: 'lang', reflect: true },
    me: { state: true },
    workOrder: { state: true },
    messages: { state: true },
    loading: { state: true },
    loadError: { state: true },
    newestFirst: { state: true },
    composeMode: { state: true },
    expanded: { state: true },
    announcement: { state: true },
    flash: { state: true },
    panel: { state: true },
    panelError: { state: true },
    busy: { state: true },
    linkErrors: { state: true },
    people: { state: true }
  }

  declare workOrderId: string
  declare apiBase: string
  declare language: Lang
  declare me: Me | null
  declare workOrder: WorkOrder | null
  declare messages: Message[]
  declare loading: boolean
  declare loadError: string | null
  declare newestFirst: boolean
  declare composeMode: ComposeMode | null
  declare expanded: Set<number>
  declare announcement: string
  declare flash: { kind: 'ok' | 'error'; text: string } | null
  declare panel: Panel
  declare panelError: string | null
  declare busy: boolean
  declare linkErrors: Record<number, string>
  /** Contributors named in sender banners (ambiguous candidates), by id. */
  declare people: Map<number, Contributor>

  private api: Api
  private etag: string | null = null
  private pollTimer: ReturnType<typeof setTimeout> | null = null
  private live: { base: string; subscription: LiveSubscription } | null = null
  private fastUntil = 0
  private workOrderRequests = 0
  private loadedOnce = false
  private splits = new Map<number, { source: string; split: SplitBody }>()
  private opener: HTMLElement | null = null
  private readonly onVisibility = () => {
    if (!document.hidden && this.loadedOnce) this.schedulePoll(0)
  }

  constructor() {
    super()
    this.workOrderId = ''
    this.apiBase = '/api/communications'
    this.language = 'it'
    this.me = null
    this.workOrder = null
    this.messages = []
    this.loading = true
    this.loadError = null
    this.newestFirst = readOrder()
    this.composeMode = null
    this.expanded = new Set()
    this.announcement = ''
    this.flash = null
    this.panel = null
    this.panelError = null
    this.busy = false
    this.linkErrors = {}
    this.people = new Map()
    this.api = new Api(
      this.apiBase,
      () => this.lang2(),
      () => ({
        network: this.t('networkError'),
        session: this.t('sessionExpired'),
        unexpected: (status) => this.t('unexpected', { status })
      })
    )
  }

  static override styles = [
    baseStyles,
    css`
    :host { display: block; }
    .trc { display: grid; gap: 1rem; }
    .top { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: baseline; gap: .5rem 1rem; }
    h2 { margin: 0; font-size: 1.25rem; }
    .lang { display: flex; gap: .4rem; align-items: center; }
    .lang label { font-weight: 400; }
    .lang select { min-height: 2rem; padding: .2rem .4rem; }
    .summary { display: grid; grid-template-columns: repeat(auto-fill, minmax(13rem, 1fr)); gap: .6rem 1.25rem; margin: 0; padding: .8rem 1rem; background: #f6f8fa; border: 1px solid var(--trc-border); border-radius: var(--trc-radius); }
    .summary div { min-width: 0; }
    .summary dt { font-size: .82rem; color: var(--trc-muted); font-weight: 600; text-transform: uppercase; letter-spacing: .02em; }
    .summary dd { margin: .1rem 0 0; overflow-wrap: anywhere; }
    .late { color: var(--trc-error); font-weight: 700; }
    .ok-text { color: var(--trc-ok); font-weight: 600; }
    .pill { display: inline-block; padding: .05rem .5rem; border-radius: 999px; border: 1px solid currentColor; font-size: .85rem; font-weight: 600; }
    .bar { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
    .bar .spacer { flex: 1; }
    .panel { border: 1px solid var(--trc-control); border-radius: var(--trc-radius); padding: .75rem 1rem; background: #fff; }
    .panel h3 { margin: 0 0 .25rem; font-size: 1.05rem; }
    .panel form { display: grid; gap: .25rem; max-width: 40rem; }
    .panel .buttons { display: flex; gap: .5rem; flex-wrap: wrap; margin-top: .5rem; }
    .thread-head { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: .5rem; border-top: 1px solid var(--trc-border); padding-top: .75rem; }
    .thread-head h3 { margin: 0; font-size: 1.1rem; }
    ol.thread { list-style: none; margin: 0; padding: 0; display: grid; gap: .85rem; }
    article { border: 1px solid var(--trc-border); border-left: 5px solid var(--kind); border-radius: var(--trc-radius); padding: .7rem .9rem .8rem; background: #fff; }
    article.citizen { --kind: #0b4f8a; margin-right: 2.5rem; }
    article.operator { --kind: #0b5d3b; margin-left: 2.5rem; background: #f7fbf8; }
    article.note { --kind: #8a5a00; margin-left: 2.5rem; background: #fffaf0; }
    article.system { --kind: #5b6670; background: #f7f8f9; }
    @media (max-width: 640px) { article.citizen, article.operator, article.note { margin: 0; } }
    .msg-head { display: flex; flex-wrap: wrap; gap: .35rem .5rem; align-items: center; }
    .badge { display: inline-block; font-size: .78rem; font-weight: 700; padding: .1rem .45rem; border-radius: 3px; color: #fff; background: var(--kind); letter-spacing: .02em; }
    .badge.channel { background: #fff; color: var(--trc-text); border: 1px solid var(--trc-control); font-weight: 600; }
    .badge.pec { background: #fff; color: #6a1b9a; border-color: #6a1b9a; }
    time { color: var(--trc-muted); font-size: .9rem; margin-left: auto; }
    article h4 { margin: .35rem 0 .2rem; font-size: 1.02rem; overflow-wrap: anywhere; }
    .addresses { margin: 0 0 .5rem; font-size: .9rem; color: var(--trc-muted); display: grid; grid-template-columns: auto minmax(0, 1fr); gap: 0 .5rem; }
    .addresses dt { font-weight: 600; }
    .addresses dd { margin: 0; overflow-wrap: anywhere; color: var(--trc-text); }
    .text-body { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 15px; }
    .quoted { margin-top: .4rem; color: #3d4852; border-left: 3px solid #9aa5b1; padding-left: .8rem; }
    .quote-toggle { margin-top: .35rem; }
    .delivery { display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; margin: .5rem 0 0; font-size: .9rem; }
    .delivery .pill.queued, .delivery .pill.sending { color: #4a5560; }
    .delivery .pill.sent, .delivery .pill.accepted, .delivery .pill.delivered { color: var(--trc-ok); background: var(--trc-ok-bg); }
    .delivery .pill.retrying { color: var(--trc-warn-text); background: var(--trc-warn-bg); }
    .delivery .pill.failed { color: var(--trc-error); background: var(--trc-error-bg); }
    .delivery .reason { color: var(--trc-error); overflow-wrap: anywhere; }
    .attachments { list-style: none; margin: .6rem 0 0; padding: .5rem 0 0; border-top: 1px dashed var(--trc-border); display: flex; flex-wrap: wrap; gap: .4rem .9rem; }
    .attachments h5 { margin: 0; font-size: .85rem; width: 100%; color: var(--trc-muted); }
    .attachments a { overflow-wrap: anywhere; display: inline-flex; gap: .25rem; align-items: center; }
    .sender { margin: .4rem 0 .6rem; padding: .6rem .75rem; border-radius: 4px; background: var(--trc-warn-bg); color: var(--trc-warn-text); border: 1px solid #b07800; }
    .sender p { margin: 0 0 .4rem; }
    .sender form { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; }
    .sender fieldset { border: 0; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: .25rem 1rem; }
    .sender legend { font-weight: 600; padding: 0; margin-bottom: .2rem; }
    .sender label { font-weight: 400; display: inline-flex; gap: .35rem; align-items: center; }
    .sender input[type=number] { width: 9rem; }
    .sender .field.flush { margin: 0; }
    .empty { color: var(--trc-muted); font-style: italic; }
    .readonly { margin: 0; }
    @media (max-width: 480px) {
      .summary { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); padding: .6rem .75rem; }
      time { margin-left: 0; width: 100%; }
      .bar button, .bar .button { flex: 1 1 auto; justify-content: center; }
    }
  `
  ]

  // ---------------------------------------------------------------------------------------------------------
  // Life cycle

  private lang2(): Lang {
    return isLang(this.language) ? this.language : 'it'
  }

  private t(key: Key, params?: Record<string, string | number>): string {
    return translate(this.lang2(), key, params)
  }

  override connectedCallback(): void {
    super.connectedCallback()
    document.addEventListener('visibilitychange', this.onVisibility)
    if (this.loadedOnce) this.schedulePoll(0)
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    document.removeEventListener('visibilitychange', this.onVisibility)
    if (this.pollTimer) clearTimeout(this.pollTimer)
    this.pollTimer = null
    this.live?.subscription.close()
    this.live = null
  }

  /** Follows the server's change stream (one per page, shared); a change of this work order refetches now. */
  private followChanges(): void {
    const base = this.apiBase || '/api/communications'
    if (this.live?.base === base) return
    this.live?.subscription.close()
    const onChange = (change: LiveChange) => {
      if (this.loadedOnce && (change.workOrderId === Number(this.workOrderId) || change.kind === 'resync')) this.schedulePoll(0)
    }
    // the stream went down: back to polling at the usual pace
    const onStatus = () => this.loadedOnce && this.schedulePoll()
    this.live = { base, subscription: subscribe(onChange, { apiBase: base, onStatus }) }
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('apiBase')) {
      this.api = new Api(
        this.apiBase || '/api/communications',
        () => this.lang2(),
        () => ({
          network: this.t('networkError'),
          session: this.t('sessionExpired'),
          unexpected: (status) => this.t('unexpected', { status })
        })
      )
    }
    if (!isLang(this.language)) this.language = 'it'
  }

  protected override updated(changed: PropertyValues<this>): void {
    if ((changed.has('workOrderId') || changed.has('apiBase')) && this.workOrderId) void this.load()
    if (changed.has('messages')) void this.loadCandidates()
  }

  /** Names for the candidates of ambiguous senders (one request for all the ids not known yet). */
  private async loadCandidates(): Promise<void> {
    const wanted = new Set<number>()
    for (const m of this.messages) {
      if (m.direction === 'inbound' && m.senderMatch === 'ambiguous') for (const id of m.senderCandidates) if (!this.people.has(id)) wanted.add(id)
    }
    if (wanted.size === 0) return
    try {
      const result = await this.api.getJson<{ items: Contributor[] }>(`/contributors?ids=${[...wanted].slice(0, 50).join(',')}`)
      if (!result) return
      const next = new Map(this.people)
      for (const c of result.data.items) next.set(c.id, c)
      this.people = next
    } catch {
      // the banner falls back to numbers
    }
  }

  private get draftKey(): string {
    return `trc-draft:${this.apiBase}:${this.workOrderId}`
  }

  private get can(): { write: boolean; documents: boolean } {
    const p = this.me?.permissions ?? []
    return { write: p.includes('write'), documents: p.includes('documents') }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Data

  private async load(): Promise<void> {
    this.loading = true
    this.loadError = null
    this.etag = null
    this.loadedOnce = false
    const id = encodeURIComponent(this.workOrderId)
    try {
      const [me, wo, conversation] = await Promise.all([
        this.api.getJson<Me>('/me'),
        this.api.getJson<WorkOrder>(`/work-orders/${id}`),
        this.api.getJson<Conversation>(`/work-orders/${id}/messages`)
      ])
      this.me = me?.data ?? null
      this.workOrder = wo?.data ?? null
      this.messages = conversation?.data.items ?? []
      this.etag = conversation?.etag ?? null
      this.loadedOnce = true
      const draft = readDraft(this.draftKey)
      if (draft && this.can.write && !this.composeMode) this.composeMode = draft.mode
    } catch (err) {
      this.loadError = err instanceof Error ? err.message : String(err)
    } finally {
      this.loading = false
    }
    if (this.loadedOnce) {
      this.followChanges()
      this.schedulePoll()
    }
  }

  private schedulePoll(delay?: number): void {
    if (this.pollTimer) clearTimeout(this.pollTimer)
    if (!this.isConnected) return
    const streaming = this.live?.subscription.status === 'live'
    const next = delay ?? (streaming ? LIVE_POLL_MS : Date.now() < this.fastUntil ? FAST_POLL_MS : POLL_MS)
    this.pollTimer = setTimeout(() => void this.poll(), next)
  }

  private async poll(): Promise<void> {
    this.pollTimer = null
    if (!this.isConnected) return
    if (!document.hidden) {
      try {
        await this.refreshMessages()
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) {
          // signed out (or the session expired): say so and stop asking
          this.flash = { kind: 'error', text: err.message }
          return
        }
        // anything else is transient: the next poll tries again
      }
    }
    this.schedulePoll()
  }

  /** Fetches the conversation if it changed (ETag); announces new inbound messages. */
  async refreshMessages(): Promise<void> {
    const result = await this.api.getJson<Conversation>(`/work-orders/${encodeURIComponent(this.workOrderId)}/messages`, this.etag)
    if (!result) return
    const known = new Set(this.messages.map((m) => m.id))
    const added = result.data.items.filter((m) => !known.has(m.id))
    this.messages = result.data.items
    this.etag = result.etag
    const inbound = added.filter((m) => m.direction === 'inbound')
    if (inbound.length) this.announce(inbound.length === 1 ? this.t('newMessage') : this.t('newMessages', { n: inbound.length }))
    await this.refreshWorkOrder()
  }

  private async refreshWorkOrder(): Promise<void> {
    // the last request asked wins: a poll that set out before an action committed must not undo its summary
    const asked = ++this.workOrderRequests
    const wo = await this.api.getJson<WorkOrder>(`/work-orders/${encodeURIComponent(this.workOrderId)}`)
    if (wo && asked === this.workOrderRequests) this.workOrder = wo.data
  }

  private announce(text: string): void {
    // re-announce identical text: clear first
    this.announcement = ''
    requestAnimationFrame(() => {
      this.announcement = text
    })
  }

  private split(m: Message): SplitBody {
    const source = m.html ?? ''
    const cached = this.splits.get(m.id)
    if (cached && cached.source === source) return cached.split
    const split = splitHtml(source)
    this.splits.set(m.id, { source, split })
    return split
  }

  // ---------------------------------------------------------------------------------------------------------
  // Actions

  private openCompose(mode: ComposeMode, event: Event): void {
    this.opener = event.currentTarget as HTMLElement
    this.flash = null
    this.composeMode = mode
    void this.updateComplete.then(() => this.renderRoot.querySelector<TrcCompose>('trc-compose')?.focus())
  }

  private closeCompose(): void {
    this.composeMode = null
    const opener = this.opener
    void this.updateComplete.then(() => (opener ?? this.renderRoot.querySelector<HTMLButtonElement>('#reply'))?.focus())
  }

  private async onSent(event: CustomEvent<{ mode: ComposeMode; message: Message | null }>): Promise<void> {
    const { mode, message } = event.detail
    this.composeMode = null
    this.flash = { kind: 'ok', text: this.t(`sent_${mode}`) }
    if (message && typeof message.id === 'number' && !this.messages.some((m) => m.id === message.id)) {
      this.messages = [...this.messages, { ...message, attachments: message.attachments ?? [], to: message.to ?? [], cc: message.cc ?? [] }]
    }
    this.fastUntil = Date.now() + 30_000
    const opener = this.opener
    await this.updateComplete
    ;(opener ?? this.renderRoot.querySelector<HTMLButtonElement>('#reply'))?.focus()
    try {
      await this.refreshMessages()
    } catch {
      // the poll retries
    }
    this.schedulePoll()
  }

  private togglePanel(panel: Panel, event: Event): void {
    this.opener = event.currentTarget as HTMLElement
    this.panel = this.panel === panel ? null : panel
    this.panelError = null
    if (this.panel) void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('.panel select, .panel input')?.focus())
  }

  private closePanel(): void {
    this.panel = null
    this.panelError = null
    void this.updateComplete.then(() => this.opener?.focus())
  }

  private formValue(form: HTMLFormElement, name: string): string {
    const el = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement | null
    return (el?.value ?? '').trim()
  }

  private async run(action: () => Promise<string>): Promise<void> {
    this.busy = true
    this.panelError = null
    try {
      const text = await action()
      // the summary first, then the confirmation: what the operator reads is already up to date
      await this.refreshWorkOrder().catch(() => undefined)
      this.flash = { kind: 'ok', text }
      this.closePanel()
      this.fastUntil = Date.now() + 30_000
      this.schedulePoll(300)
    } catch (err) {
      this.panelError = err instanceof Error ? err.message : String(err)
    } finally {
      this.busy = false
    }
  }

  private changeState(event: Event): void {
    event.preventDefault()
    const form = event.currentTarget as HTMLFormElement
    const state = this.formValue(form, 'state') as WorkOrderState
    const note = this.formValue(form, 'note')
    void this.run(async () => {
      await this.api.send('POST', `/work-orders/${this.workOrderId}/state`, { state, ...(note ? { note } : {}) })
      return this.t('stateChanged', { state: this.t(`state_${state}`) })
    })
  }

  private classify(event: Event): void {
    event.preventDefault()
    const type = this.formValue(event.currentTarget as HTMLFormElement, 'type')
    void this.run(async () => {
      await this.api.send('PUT', `/work-orders/${this.workOrderId}/classification`, { type })
      return this.t('typeChanged', { type: this.t(`type_${type}` as Key) })
    })
  }

  private sendDocument(event: Event): void {
    event.preventDefault()
    const form = event.currentTarget as HTMLFormElement
    const to = parseAddresses(this.formValue(form, 'to'))
    const cc = parseAddresses(this.formValue(form, 'cc'))
    const note = this.formValue(form, 'note')
    if (to.invalid.length || cc.invalid.length) {
      this.panelError = this.t('invalidAddresses', { list: [...to.invalid, ...cc.invalid].join(', ') })
      return
    }
    if (!to.valid.length) {
      this.panelError = this.t('needRecipient')
      return
    }
    void this.run(async () => {
      await this.api.send('POST', `/work-orders/${this.workOrderId}/export/send`, {
        to: to.valid,
        ...(cc.valid.length ? { cc: cc.valid } : {}),
        ...(note ? { note: textToHtml(note) } : {})
      })
      return this.t('documentSent', { to: to.valid.join(', ') })
    })
  }

  private async linkContributor(event: Event, message: Message): Promise<void> {
    event.preventDefault()
    const form = event.currentTarget as HTMLFormElement
    const data = new FormData(form)
    const value = String(data.get('contributorId') ?? '').trim()
    const contributorId = Number(value)
    if (!Number.isSafeInteger(contributorId) || contributorId < 1) {
      this.linkErrors = { ...this.linkErrors, [message.id]: this.t('chooseContributor') }
      return
    }
    try {
      await this.api.send('POST', `/messages/${message.id}/contributor`, { contributorId })
      const { [message.id]: _, ...rest } = this.linkErrors
      this.linkErrors = rest
      this.flash = { kind: 'ok', text: this.t('linked', { id: contributorId }) }
      await this.refreshMessages()
    } catch (err) {
      this.linkErrors = { ...this.linkErrors, [message.id]: err instanceof Error ? err.message : String(err) }
    }
  }

  private setOrder(newest: boolean): void {
    this.newestFirst = newest
    try {
      localStorage.setItem(ORDER_KEY, newest ? 'newest' : 'oldest')
    } catch {
      // ignore
    }
  }

  private setLanguage(event: Event): void {
    const value = (event.target as HTMLSelectElement).value
    if (isLang(value)) this.language = value
    this.dispatchEvent(new CustomEvent('trc-language', { bubbles: true, composed: true, detail: { lang: value } }))
  }

  // ---------------------------------------------------------------------------------------------------------
  // Render: summary and actions

  private renderDaysLeft(wo: WorkOrder): TemplateResult {
    if (wo.standardMet === true) {
      return html`<span class="ok-text">${this.t('standardMet')}</span>${wo.replySentAt ? html` <span class="muted">(${this.t('replied', { date: formatDate(wo.replySentAt, this.lang2()) })})</span>` : nothing}`
    }
    if (!wo.dueDate) return html`<span class="muted">${this.t('noDueDate')}</span>`
    const working = typeof wo.daysLeft === 'number'
    const days = working ? (wo.daysLeft as number) : calendarDaysUntil(wo.dueDate)
    if (wo.standardMet === false || days < 0) {
      const late = Math.abs(Math.min(days, -1))
      return html`<span class="late">${days < 0 ? (late === 1 ? this.t('overdueOne') : this.t('overdue', { n: late })) : this.t('standardMissed')}</span>`
    }
    if (days === 0) return html`<span class="late">${this.t('dueToday')}</span>`
    const text = working
      ? days === 1
        ? this.t('workingDayLeft')
        : this.t('workingDaysLeft', { n: days })
      : days === 1
        ? this.t('calendarDayLeft')
        : this.t('calendarDaysLeft', { n: days })
    return html`<span class=${days <= 3 ? 'late' : ''}>${text}</span>`
  }

  private stateLabel(wo: WorkOrder): string {
    return wo.status ? this.t(`state_${wo.status}`) : this.t('state_unknown', { value: wo.hostStatus ?? '—' })
  }

  private renderSummary(wo: WorkOrder): TemplateResult {
    const typeLabel = wo.type ? (this.lang2() === 'it' && wo.typeLabel ? wo.typeLabel : this.t(`type_${wo.type}` as Key)) : null
    const suspended = (wo as { clockState?: unknown }).clockState === 'suspended'
    return html`<dl class="summary">
      <div><dt>${this.t('reference')}</dt><dd>${wo.reference ?? `#${wo.id}`}</dd></div>
      <div><dt>${this.t('contributor')}</dt><dd>${wo.contributor ? `${wo.contributor.displayName} (n. ${wo.contributor.id})` : '—'}</dd></div>
      <div><dt>${this.t('state')}</dt><dd><span class="pill">${this.stateLabel(wo)}</span></dd></div>
      <div><dt>${this.t('areraType')}</dt><dd>${typeLabel ?? html`<span class="muted">${this.t('notClassified')}</span>`}${
        !wo.type && wo.suggestedType
          ? html` <span class="muted">(${this.t('suggestedType', { type: this.t(`type_${wo.suggestedType}` as Key) })})</span>`
          : nothing
      }</dd></div>
      <div><dt>${this.t('receivedAt')}</dt><dd>${wo.receivedAt ? html`<time datetime=${wo.receivedAt}>${formatDateTime(wo.receivedAt, this.lang2())}</time>` : '—'}</dd></div>
      <div><dt>${this.t('dueDate')}</dt><dd>${wo.dueDate ? html`<time datetime=${wo.dueDate} class=${this.isLate(wo) ? 'late' : ''}>${formatDate(wo.dueDate, this.lang2())}</time>` : '—'}</dd></div>
      <div><dt>${this.t('daysLeft')}</dt><dd>${this.renderDaysLeft(wo)}${suspended ? html` <span class="pill">${this.t('clockSuspended')}</span>` : nothing}</dd></div>
    </dl>`
  }

  private isLate(wo: WorkOrder): boolean {
    if (wo.standardMet === false) return true
    if (wo.standardMet === true || !wo.dueDate) return false
    return (typeof wo.daysLeft === 'number' ? wo.daysLeft : calendarDaysUntil(wo.dueDate)) < 0
  }

  private renderActions(wo: WorkOrder): TemplateResult {
    const docx = this.api.url(`/work-orders/${encodeURIComponent(String(wo.id))}/export.docx`)
    return html`<div class="bar" role="group" aria-label=${this.t('actions')}>
        <a class="button secondary" href=${docx} download title=${this.t('exportDocxLabel')}><span aria-hidden="true">⬇</span> ${this.t('exportDocx')}</a>
        ${
          this.can.documents
            ? html`<button type="button" class="secondary" aria-expanded=${String(this.panel === 'document')} aria-controls="panel-document"
          @click=${(e: Event) => this.togglePanel('document', e)}><span aria-hidden="true">✉</span> ${this.t('sendDocument')}</button>`
            : nothing
        }
        ${
          this.can.write
            ? html`
          <button type="button" class="secondary" aria-expanded=${String(this.panel === 'state')} aria-controls="panel-state" @click=${(e: Event) => this.togglePanel('state', e)}>${this.t('changeState')}</button>
          <button type="button" class="secondary" aria-expanded=${String(this.panel === 'type')} aria-controls="panel-type" @click=${(e: Event) => this.togglePanel('type', e)}>${this.t('classify')}</button>`
            : nothing
        }
      </div>
      ${this.panel ? this.renderPanel(wo) : nothing}`
  }

  private renderPanel(wo: WorkOrder): TemplateResult {
    const error = html`<div role="alert">${this.panelError ? html`<p class="alert error">${this.panelError}</p>` : nothing}</div>`
    const buttons = (label: string) => html`<div class="buttons">
      <button type="submit" ?disabled=${this.busy}>${this.busy ? this.t('sending') : label}</button>
      <button type="button" class="secondary" @click=${this.closePanel}>${this.t('cancel')}</button></div>`
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault()
        this.closePanel()
      }
    }
    if (this.panel === 'state') {
      return html`<section class="panel" id="panel-state" aria-labelledby="panel-state-title" @keydown=${onKey}>
        <h3 id="panel-state-title">${this.t('changeState')}</h3>
        <form @submit=${this.changeState}>
          <div class="field"><label for="state-select">${this.t('newState')}</label>
            <select id="state-select" name="state">${STATES.map((s) => html`<option value=${s} ?selected=${s === wo.status}>${this.t(`state_${s}`)}</option>`)}</select></div>
          <div class="field"><label for="state-note">${this.t('stateNote')}</label><textarea id="state-note" name="note" rows="2"></textarea></div>
          ${error}${buttons(this.t('applyState'))}
        </form></section>`
    }
    if (this.panel === 'type') {
      return html`<section class="panel" id="panel-type" aria-labelledby="panel-type-title" @keydown=${onKey}>
        <h3 id="panel-type-title">${this.t('classify')}</h3>
        <form @submit=${this.classify}>
          <div class="field"><label for="type-select">${this.t('areraType')}</label>
            <select id="type-select" name="type">${REQUEST_TYPES.map((type) => html`<option value=${type} ?selected=${type === (wo.type ?? wo.suggestedType)}>${this.t(`type_${type}`)}</option>`)}</select></div>
          ${error}${buttons(this.t('applyType'))}
        </form></section>`
    }
    const defaultTo = wo.contributor?.emails[0] ?? ''
    return html`<section class="panel" id="panel-document" aria-labelledby="panel-document-title" @keydown=${onKey}>
      <h3 id="panel-document-title">${this.t('sendDocumentTitle')}</h3>
      <form @submit=${this.sendDocument} novalidate>
        <div class="field"><label for="doc-to">${this.t('recipients')}</label>
          <input id="doc-to" name="to" type="text" inputmode="email" .value=${defaultTo} aria-describedby="doc-to-hint" aria-required="true">
          <span id="doc-to-hint" class="hint">${this.t('recipientsHint')}</span></div>
        <div class="field"><label for="doc-cc">${this.t('cc')}</label><input id="doc-cc" name="cc" type="text" inputmode="email"></div>
        <div class="field"><label for="doc-note">${this.t('stateNote')}</label><textarea id="doc-note" name="note" rows="3"></textarea></div>
        ${error}${buttons(this.t('send'))}
      </form></section>`
  }

  // ---------------------------------------------------------------------------------------------------------
  // Render: messages

  private kindOf(m: Message): Kind {
    // state changes and the module's own notices (e.g. a confirmation withheld) are the system's, not a colleague's
    if (m.channel === 'note') return m.meta?.kind === 'state' || m.meta?.kind === 'system' ? 'system' : 'note'
    if (m.direction === 'inbound') return m.automaticKind ? 'system' : 'citizen'
    const kind = typeof m.meta?.kind === 'string' ? m.meta.kind : null
    if (!m.operator || (kind && ['confirmation', 'status', 'digest'].includes(kind))) return 'system'
    return 'operator'
  }

  private channelLabel(m: Message): { text: string; pec: boolean } | null {
    if (m.channel === 'note') return m.meta?.kind === 'state' ? { text: this.t('ch_state'), pec: false } : null
    if (m.meta && (m.meta.pec || m.meta.kind === 'pec')) return { text: this.t('ch_pec'), pec: true }
    return { text: this.t(m.channel === 'web' ? 'ch_web' : m.channel === 'app' ? 'ch_app' : 'ch_email'), pec: false }
  }

  private renderDelivery(m: Message): TemplateResult | typeof nothing {
    if (m.direction !== 'outbound' || !m.deliveryStatus || m.channel === 'note') return nothing
    const icons: Record<string, string> = { queued: '⏳', sending: '…', sent: '✓', retrying: '↻', failed: '✗', accepted: '✓', delivered: '✓✓' }
    const s = m.deliveryStatus
    return html`<p class="delivery">
      <span class="sr-only">${this.t('deliveryStatus')}:</span>
      <span class="pill ${s}" data-status=${s}><span aria-hidden="true">${icons[s] ?? ''}</span> ${this.t(`status_${s}`)}</span>
      ${m.deliveryError && (s === 'failed' || s === 'retrying') ? html`<span class="reason">${m.deliveryError}</span>` : nothing}
    </p>`
  }

  private renderSenderBanner(m: Message): TemplateResult | typeof nothing {
    if (m.direction !== 'inbound' || (m.senderMatch !== 'unknown' && m.senderMatch !== 'ambiguous') || m.automaticKind) return nothing
    const address = m.from ?? '—'
    const ambiguous = m.senderMatch === 'ambiguous' && m.senderCandidates.length > 0
    const error = this.linkErrors[m.id]
    const errorId = `link-error-${m.id}`
    return html`<div class="sender" role="note">
      <p><span aria-hidden="true">⚠</span> ${ambiguous ? this.t('senderAmbiguous', { address }) : this.t('senderUnknown', { address })}</p>
      ${
        this.can.write
          ? html`<form @submit=${(e: Event) => this.linkContributor(e, m)} novalidate>
        ${
          ambiguous
            ? html`<fieldset><legend>${this.t('chooseContributor')}</legend>${m.senderCandidates.map(
                (id, i) => html`<label>
              <input type="radio" name="contributorId" value=${id} ?checked=${i === 0}> ${this.candidateLabel(id)}</label>`
              )}</fieldset>`
            : html`<div class="field flush"><label for="contributor-${m.id}">${this.t('contributorId')}</label>
              <input id="contributor-${m.id}" name="contributorId" type="number" min="1" step="1" inputmode="numeric"
                aria-invalid=${error ? 'true' : 'false'} aria-describedby=${error ? errorId : nothing}></div>`
        }
        <button type="submit">${this.t('link')}</button>
      </form>
      <div role="alert">${error ? html`<p class="alert error" id=${errorId}>${error}</p>` : nothing}</div>`
          : nothing
      }
    </div>`
  }

  private candidateLabel(id: number): string {
    const person = this.people.get(id)
    if (!person) return this.t('candidate', { id })
    return `${person.displayName} (n. ${id})${person.fiscalCode ? ` · ${this.t('fiscalCode')} ${person.fiscalCode}` : ''}`
  }

  private renderBody(m: Message): TemplateResult {
    const open = this.expanded.has(m.id)
    const toggle = (quoted: string | null) =>
      quoted
        ? html`<button type="button" class="link quote-toggle" aria-expanded=${String(open)} aria-controls="body-${m.id}"
        @click=${() => {
          const next = new Set(this.expanded)
          if (open) next.delete(m.id)
          else next.add(m.id)
          this.expanded = next
        }}>
        ${open ? this.t('hideQuote') : this.t('showQuote')}</button>`
        : nothing
    if (m.html) {
      const { main, quoted } = this.split(m)
      const label = this.t('bodyTitle', { subject: m.subject || this.t('noSubject') })
      return html`<trc-mail-body id="body-${m.id}" .html=${open && quoted ? main + quoted : main} .label=${label} frame-lang="it"></trc-mail-body>${toggle(quoted)}`
    }
    const { main, quoted } = splitText(m.text ?? '')
    return html`<div id="body-${m.id}"><div class="text-body">${main}</div>${open && quoted ? html`<div class="text-body quoted">${quoted}</div>` : nothing}</div>${toggle(quoted)}`
  }

  private renderMessage(m: Message): TemplateResult {
    const kind = this.kindOf(m)
    const channel = this.channelLabel(m)
    const when = m.receivedAt ?? m.createdAt
    const sender =
      m.direction === 'outbound' && m.operator
        ? `${m.operator.name ?? m.operator.id}${m.from && m.channel !== 'note' ? ` · ${displayAddress(m.from)}` : ''}`
        : m.fromName
          ? `${m.fromName}${m.from ? ` <${m.from}>` : ''}`
          : displayAddress(m.from ?? '—')
    const files = m.attachments.filter((a) => !a.inline)
    const headingId = `msg-${m.id}-title`
    return html`<li><article class=${kind} aria-labelledby=${headingId} data-message-id=${m.id} data-direction=${m.direction}>
      <div class="msg-head">
        <span class="badge">${this.t(`dir_${kind}`)}</span>
        ${channel ? html`<span class="badge channel ${channel.pec ? 'pec' : ''}">${channel.text}</span>` : nothing}
        ${m.automaticKind ? html`<span class="badge channel">${this.t('automatic', { kind: m.automaticKind })}</span>` : nothing}
        <time datetime=${when}>${formatDateTime(when, this.lang2())}</time>
      </div>
      <h4 id=${headingId}>${m.subject || (m.channel === 'note' ? this.t(m.meta?.kind === 'state' ? 'ch_state' : m.meta?.kind === 'system' ? 'ch_system' : 'dir_note') : this.t('noSubject'))}</h4>
      <dl class="addresses">
        <dt>${this.t('from')}</dt><dd>${sender}</dd>
        ${m.to.length ? html`<dt>${this.t('to')}</dt><dd>${m.to.join(', ')}</dd>` : nothing}
        ${m.cc.length ? html`<dt>${this.t('cc')}</dt><dd>${m.cc.join(', ')}</dd>` : nothing}
      </dl>
      ${this.renderSenderBanner(m)}
      ${this.renderBody(m)}
      ${
        files.length
          ? html`<ul class="attachments" aria-label=${this.t('attachments')}>
        ${files.map((a) => {
          const size = formatSize(a.size, this.lang2())
          return html`<li><a href=${this.api.url(`/attachments/${a.id}`)} download=${a.filename}
            aria-label=${this.t('download', { name: a.filename, size })}>${icon(ICONS.attach)} ${a.filename}</a> <span class="muted">(${size})</span></li>`
        })}
      </ul>`
          : nothing
      }
      ${this.renderDelivery(m)}
    </article></li>`
  }

  // ---------------------------------------------------------------------------------------------------------
  // Render: the tab

  override render() {
    const title = html`<div class="top">
      <h2 id="trc-title">${this.t('title')} <span class="muted subtitle">· ${this.t('workOrderNo', { id: this.workOrderId })}</span></h2>
      <div class="lang"><label for="lang-select">${this.t('language')}</label>
        <select id="lang-select" @change=${this.setLanguage}>
          <option value="it" ?selected=${this.lang2() === 'it'} lang="it">Italiano</option>
          <option value="en" ?selected=${this.lang2() === 'en'} lang="en">English</option>
        </select></div>
    </div>`
    if (this.loading && !this.loadedOnce) {
      return html`<section class="trc" aria-labelledby="trc-title" aria-busy="true">${title}<p role="status">${this.t('loading')}</p></section>`
    }
    if (this.loadError || !this.workOrder) {
      return html`<section class="trc" aria-labelledby="trc-title">${title}
        <div role="alert" class="alert error">${this.t('loadError', { message: this.loadError ?? '' })}</div>
        <div><button type="button" @click=${() => void this.load()}>${this.t('retry')}</button></div></section>`
    }
    const wo = this.workOrder
    const ordered = this.newestFirst ? [...this.messages].reverse() : this.messages
    const count = this.messages.length
    return html`<section class="trc" aria-labelledby="trc-title">
      ${title}
      ${this.renderSummary(wo)}
      ${this.renderActions(wo)}
      <div role="status" aria-live="polite">${this.flash ? html`<p class="alert ${this.flash.kind}">${this.flash.text}</p>` : nothing}</div>
      <div class="sr-only" aria-live="polite">${this.announcement}</div>
      ${
        this.can.write
          ? html`<div class="bar" role="group" aria-label=${this.t('actions')}>
          <button type="button" id="reply" class=${this.composeMode && this.composeMode !== 'reply' ? 'secondary' : ''} aria-pressed=${String(this.composeMode === 'reply')} @click=${(e: Event) => this.openCompose('reply', e)}><span aria-hidden="true">↩</span> ${this.t('reply')}</button>
          <button type="button" id="forward" class="secondary" aria-pressed=${String(this.composeMode === 'forward')} @click=${(e: Event) => this.openCompose('forward', e)}><span aria-hidden="true">↪</span> ${this.t('forward')}</button>
          <button type="button" id="note" class="secondary" aria-pressed=${String(this.composeMode === 'note')} @click=${(e: Event) => this.openCompose('note', e)}><span aria-hidden="true">✎</span> ${this.t('note')}</button>
        </div>`
          : html`<p class="readonly muted">${this.t('readOnly')}</p>`
      }
      ${
        this.composeMode && this.can.write && this.me
          ? html`<trc-compose
          .mode=${this.composeMode} .language=${this.lang2()} .api=${this.api} .workOrder=${wo} .messages=${this.messages} .me=${this.me}
          draft-key=${this.draftKey}
          @trc-sent=${this.onSent} @trc-close=${this.closeCompose}></trc-compose>`
          : nothing
      }
      <div class="thread-head">
        <h3>${count === 1 ? this.t('messageCount') : this.t('messagesCount', { n: count })}</h3>
        <div class="bar" role="group" aria-label=${this.t('order')}>
          <button type="button" class="secondary" aria-pressed=${String(!this.newestFirst)} @click=${() => this.setOrder(false)}>${this.t('oldestFirst')}</button>
          <button type="button" class="secondary" aria-pressed=${String(this.newestFirst)} @click=${() => this.setOrder(true)}>${this.t('newestFirst')}</button>
        </div>
      </div>
      ${
        count
          ? html`<ol class="thread" aria-labelledby="trc-title">${repeat(
              ordered,
              (m) => m.id,
              (m) => this.renderMessage(m)
            )}</ol>`
          : html`<p class="empty">${this.t('noMessages')}</p>`
      }
    </section>`
  }
}

/** `"Ufficio TARI" <tari@x.it>` → `Ufficio TARI <tari@x.it>`; a bare address stays as it is. */
function displayAddress(value: string): string {
  const match = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(value)
  if (!match) return value
  return match[1] ? `${match[1]} <${match[2]}>` : (match[2] ?? value)
}

function readOrder(): boolean {
  try {
    return localStorage.getItem(ORDER_KEY) === 'newest'
  } catch {
    return false
  }
}

if (!customElements.get('trc-communications')) customElements.define('trc-communications', TrcCommunications)

declare global {
  interface HTMLElementTagNameMap {
    'trc-communications': TrcCommunications
  }
}
