// <trc-worklist api-base="/api/communications" lang="it" work-order-url="/work-orders/{id}">: the operators'
// worklist. Queue tabs with their counts (spam and quarantine only when the API gives them: administrators),
// filters, sort, keyset paging; arrow keys move through the list and Enter opens, as does a click. `refresh()`
// reloads counts and the page shown (a live feed calls it when something changes).
import { LitElement, css, html, nothing, type TemplateResult } from 'lit'
import { Api } from './api.js'
import { formatDate, formatDateTime } from './format.js'
import { isLang, type Key, type Lang } from './i18n.js'
import { baseStyles } from './styles.js'
import { REQUEST_TYPES, STATES } from './types.js'
import { common, translateWorklist, type WorklistKey } from './worklist-i18n.js'
import {
  CHANNELS,
  QUEUES,
  workOrderUrl,
  worklistQuery,
  type WorklistCounts,
  type WorklistFilters,
  type WorklistItem,
  type WorklistPage,
  type WorklistQueue
} from './worklist-types.js'

const SEARCH_DELAY_MS = 300

export class TrcWorklist extends LitElement {
  static override properties = {
    apiBase: { type: String, attribute: 'api-base' },
    language: { type: String, attribute: 'lang', reflect: true },
    workOrderUrl: { type: String, attribute: 'work-order-url' },
    pageSize: { type: Number, attribute: 'page-size' },
    queue: { type: String, reflect: true },
    counts: { state: true },
    page: { state: true },
    filters: { state: true },
    mailboxes: { state: true },
    loading: { state: true },
    error: { state: true },
    pageNo: { state: true }
  }

  declare apiBase: string
  declare language: Lang
  declare workOrderUrl: string
  declare pageSize: number
  declare queue: WorklistQueue
  declare counts: WorklistCounts | null
  declare page: WorklistPage | null
  declare filters: WorklistFilters
  declare mailboxes: Array<{ id: number; name: string }>
  declare loading: boolean
  declare error: string | null
  declare pageNo: number

  /** Cursors of the pages before the one shown (the first page has none). */
  private cursors: Array<string | undefined> = []
  private searchTimer: ReturnType<typeof setTimeout> | null = null
  private generation = 0
  private api: Api

  constructor() {
    super()
    this.apiBase = '/api/communications'
    this.language = 'it'
    this.workOrderUrl = '/work-orders/{id}'
    this.pageSize = 25
    this.queue = 'to_answer'
    this.counts = null
    this.page = null
    this.filters = { text: '', channel: '', type: '', status: '', mailboxId: '', sort: 'due_date' }
    this.mailboxes = []
    this.loading = true
    this.error = null
    this.pageNo = 0
    this.api = this.makeApi()
  }

  static override styles = [
    baseStyles,
    css`
      :host { display: block; }
      h2 { margin: 0 0 .75rem; font-size: 1.3rem; }
      [role=tablist] { display: flex; flex-wrap: wrap; gap: .35rem; border-bottom: 2px solid var(--trc-primary); padding-bottom: .35rem; }
      [role=tab] { background: #fff; color: var(--trc-primary); }
      [role=tab][aria-selected=true] { background: var(--trc-primary); color: #fff; }
      .badge { display: inline-block; min-width: 1.6rem; padding: 0 .4rem; border-radius: 999px; background: var(--trc-ok-bg); color: var(--trc-primary); font-weight: 700; font-size: .85rem; text-align: center; }
      [aria-selected=true] .badge { background: #fff; }
      form.filters { display: flex; flex-wrap: wrap; gap: .25rem 1rem; align-items: flex-end; margin: .75rem 0; }
      form.filters .field { margin: 0; min-width: 10rem; }
      form.filters .field.grow { flex: 1 1 16rem; }
      table { border-collapse: collapse; width: 100%; }
      th, td { text-align: left; padding: .45rem .5rem; border-bottom: 1px solid var(--trc-border); vertical-align: top; }
      th { font-size: .85rem; color: var(--trc-muted); }
      tbody tr { cursor: pointer; }
      tbody tr:hover, tbody tr:focus-within { background: #f1f6f3; }
      .late { color: var(--trc-error); font-weight: 700; }
      .soon { color: var(--trc-warn-text); font-weight: 700; }
      .pager { display: flex; gap: .75rem; align-items: center; justify-content: flex-end; margin-top: .6rem; }
    `
  ]

  private makeApi(): Api {
    return new Api(
      this.apiBase,
      () => this.currentLang(),
      () => ({ network: this.c('networkError'), session: this.c('sessionExpired'), unexpected: (status) => this.c('unexpected', { status }) })
    )
  }

  private currentLang(): Lang {
    return isLang(this.language) ? this.language : 'it'
  }
  private t(key: WorklistKey, params?: Record<string, string | number>): string {
    return translateWorklist(this.currentLang(), key, params)
  }
  private c(key: Key, params?: Record<string, string | number>): string {
    return common(this.currentLang(), key, params)
  }

  override connectedCallback(): void {
    super.connectedCallback()
    this.api = this.makeApi()
    void this.loadMailboxes()
    void this.refresh()
  }

  /** Reloads the counts and the page shown, keeping queue, filters and position. */
  async refresh(): Promise<void> {
    const generation = ++this.generation
    this.loading = true
    try {
      const cursor = this.cursors[this.pageNo]
      const [counts, page] = [
        await this.api.getJson<WorklistCounts>(`/worklist/counts?${worklistQuery(this.filters)}`),
        await this.api.getJson<WorklistPage>(
          `/worklist?${worklistQuery(this.filters, { queue: this.queue, sort: this.filters.sort, limit: this.pageSize, cursor })}`
        )
      ]
      if (generation !== this.generation) return
      this.counts = counts?.data ?? this.counts
      this.page = page?.data ?? this.page
      this.error = null
      // an administrator-only queue the API does not count for this operator is not shown
      if (this.counts && this.counts[this.queue] === undefined) this.selectQueue('to_answer')
    } catch (err) {
      if (generation === this.generation) this.error = this.t('loadError', { message: (err as Error).message })
    } finally {
      if (generation === this.generation) this.loading = false
    }
  }

  private async loadMailboxes(): Promise<void> {
    try {
      this.mailboxes = (await this.api.getJson<{ items: Array<{ id: number; name: string }> }>('/worklist/mailboxes'))?.data.items ?? []
    } catch {
      this.mailboxes = [] // the filter is simply not offered
    }
  }

  private restart(): void {
    this.cursors = []
    this.pageNo = 0
    void this.refresh()
  }

  private selectQueue(queue: WorklistQueue, focus = false): void {
    if (queue !== this.queue) {
      this.queue = queue
      this.restart()
    }
    if (focus) void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`[role=tab][data-queue=${queue}]`)?.focus())
  }

  private setFilter(name: keyof WorklistFilters, value: string): void {
    this.filters = { ...this.filters, [name]: value }
    if (this.searchTimer) clearTimeout(this.searchTimer)
    if (name === 'text') this.searchTimer = setTimeout(() => this.restart(), SEARCH_DELAY_MS)
    else this.restart()
  }

  private goTo(delta: 1 | -1): void {
    if (delta === 1 && this.page?.nextCursor) this.cursors[this.pageNo + 1] = this.page.nextCursor
    if (delta === -1 && this.pageNo === 0) return
    this.pageNo += delta
    void this.refresh()
  }

  /** Opens a work order: a cancelable `trc-open-work-order` event first, then the host's page. */
  private open(item: WorklistItem, event?: Event): void {
    if (item.workOrderId === null) return
    const url = workOrderUrl(this.workOrderUrl, item.workOrderId)
    const detail = { workOrderId: item.workOrderId, url }
    const proceed = this.dispatchEvent(new CustomEvent('trc-open-work-order', { detail, bubbles: true, composed: true, cancelable: true }))
    event?.preventDefault()
    if (proceed) window.location.assign(url)
  }

  private onTabKey(event: KeyboardEvent, visible: WorklistQueue[]): void {
    const at = visible.indexOf(this.queue)
    const to =
      event.key === 'ArrowRight' ? at + 1 : event.key === 'ArrowLeft' ? at - 1 : event.key === 'Home' ? 0 : event.key === 'End' ? visible.length - 1 : null
    if (to === null) return
    event.preventDefault()
    this.selectQueue(visible[(to + visible.length) % visible.length] as WorklistQueue, true)
  }

  private onRowKey(event: KeyboardEvent, index: number, item: WorklistItem): void {
    const rows = [...this.renderRoot.querySelectorAll<HTMLElement>('[data-row]')]
    const to =
      event.key === 'ArrowDown' ? index + 1 : event.key === 'ArrowUp' ? index - 1 : event.key === 'Home' ? 0 : event.key === 'End' ? rows.length - 1 : null
    if (event.key === 'Enter') return this.open(item, event)
    if (to === null || to < 0 || to >= rows.length) return
    event.preventDefault()
    rows[to]?.focus()
  }

  override render(): TemplateResult {
    const visible = QUEUES.filter((q) => this.counts === null || this.counts[q] !== undefined)
    return html`<section aria-labelledby="trc-worklist-title">
      <h2 id="trc-worklist-title">${this.t('title')}</h2>
      <div role="tablist" aria-label=${this.t('queues')}>
        ${visible.map(
          (q) =>
            html`<button role="tab" class="secondary" id="tab-${q}" data-queue=${q} aria-selected=${String(q === this.queue)} aria-controls="trc-worklist-panel"
              tabindex=${q === this.queue ? 0 : -1} @click=${() => this.selectQueue(q)} @keydown=${(e: KeyboardEvent) => this.onTabKey(e, visible)}>
              ${this.t(`queue_${q}`)} <span class="badge" aria-label=${this.t('count', { n: this.counts?.[q] ?? 0 })}>${this.counts?.[q] ?? '…'}</span>
            </button>`
        )}
      </div>
      ${this.renderFilters()}
      <div role="tabpanel" id="trc-worklist-panel" aria-labelledby="tab-${this.queue}" aria-busy=${String(this.loading)}>
        ${this.error ? html`<p class="alert error" role="alert">${this.error} <button class="secondary" @click=${() => this.refresh()}>${this.t('retry')}</button></p>` : nothing}
        ${this.renderList()}
      </div>
    </section>`
  }

  private renderFilters(): TemplateResult {
    const f = this.filters
    const choice = (name: keyof WorklistFilters, label: string, options: Array<[string, string]>, withAny = true) =>
      html`<div class="field"><label for="f-${name}">${label}</label>
        <select id="f-${name}" .value=${f[name]} @change=${(e: Event) => this.setFilter(name, (e.target as HTMLSelectElement).value)}>
          ${withAny ? html`<option value="">${this.t('any')}</option>` : nothing}
          ${options.map(([value, text]) => html`<option value=${value} ?selected=${f[name] === value}>${text}</option>`)}
        </select></div>`
    return html`<form class="filters" role="search" aria-label=${this.t('filters')} @submit=${(e: Event) => e.preventDefault()}>
      <div class="field grow"><label for="f-text">${this.t('search')}</label>
        <input id="f-text" type="search" .value=${f.text} @input=${(e: Event) => this.setFilter('text', (e.target as HTMLInputElement).value)} /></div>
      ${choice(
        'channel',
        this.t('channel'),
        CHANNELS.map((ch) => [ch, this.t(`channel_${ch}`)])
      )}
      ${choice(
        'type',
        this.t('type'),
        REQUEST_TYPES.map((type) => [type, this.c(`type_${type}` as Key)])
      )}
      ${choice(
        'status',
        this.t('status'),
        STATES.map((state) => [state, this.c(`state_${state}` as Key)])
      )}
      ${
        this.mailboxes.length
          ? choice(
              'mailboxId',
              this.t('mailbox'),
              this.mailboxes.map((m) => [String(m.id), m.name])
            )
          : nothing
      }
      ${choice(
        'sort',
        this.t('sort'),
        [
          ['due_date', this.t('sort_due_date')],
          ['last_activity', this.t('sort_last_activity')]
        ],
        false
      )}
    </form>`
  }

  private renderList(): TemplateResult {
    const page = this.page
    if (!page) return html`<p class="muted">${this.t('loading')}</p>`
    if (page.items.length === 0) return html`<p class="muted">${this.t('empty')}</p>`
    const entries = this.queue === 'spam' || this.queue === 'quarantine'
    const from = this.pageNo * this.pageSize + 1
    return html`<p class="sr-only" id="trc-worklist-hint">${this.t('keyboardHint')}</p>
      <table aria-describedby="trc-worklist-hint">
        <thead><tr>
          ${
            entries
              ? html`<th scope="col">${this.t('colSender')}</th><th scope="col">${this.t('colSubject')}</th><th scope="col">${this.t('colReason')}</th><th scope="col">${this.t('colLastActivity')}</th>`
              : html`<th scope="col">${this.t('colReference')}</th><th scope="col">${this.t('colSubject')}</th><th scope="col">${this.t('colContributor')}</th>
                <th scope="col">${this.t('colSender')}</th><th scope="col">${this.t('colChannel')}</th><th scope="col">${this.t('colLastActivity')}</th>
                <th scope="col">${this.t('colDue')}</th><th scope="col">${this.t('colStatus')}</th>`
          }
        </tr></thead>
        <tbody>${page.items.map((item, index) => (entries ? this.renderEntry(item, index) : this.renderWorkOrder(item, index)))}</tbody>
      </table>
      <nav class="pager" aria-label=${this.t('range', { from, to: from + page.items.length - 1, total: page.total })}>
        <span>${this.t('range', { from, to: from + page.items.length - 1, total: page.total })}</span>
        <button class="secondary" ?disabled=${this.pageNo === 0} @click=${() => this.goTo(-1)}>${this.t('previous')}</button>
        <button class="secondary" ?disabled=${!page.nextCursor} @click=${() => this.goTo(1)}>${this.t('next')}</button>
      </nav>`
  }

  private renderWorkOrder(item: WorklistItem, index: number): TemplateResult {
    const subject = item.subject || this.t('noSubject')
    const url = item.workOrderId === null ? '#' : workOrderUrl(this.workOrderUrl, item.workOrderId)
    return html`<tr data-work-order-id=${String(item.workOrderId)} @click=${(e: Event) => this.open(item, e)}>
      <td>${item.reference ?? ''}</td>
      <td><a data-row href=${url} tabindex=${index === 0 ? 0 : -1} aria-label=${this.t('open', { reference: item.reference ?? '', subject })}
        @keydown=${(e: KeyboardEvent) => this.onRowKey(e, index, item)} @click=${(e: Event) => {
          e.stopPropagation()
          this.open(item, e)
        }}>${subject}</a></td>
      <td>${item.contributorName ?? ''}</td>
      <td>${item.sender ?? ''}</td>
      <td>${item.channel ? this.t(`channel_${item.channel}` as WorklistKey) : ''}</td>
      <td>${formatDateTime(item.lastActivityAt, this.currentLang())}</td>
      <td>${this.renderDue(item)}</td>
      <td>${item.status ? this.c(`state_${item.status}` as Key) : (item.hostStatus ?? '')}</td>
    </tr>`
  }

  private renderDue(item: WorklistItem): TemplateResult | string {
    if (!item.dueDate) return ''
    const left = item.workingDaysLeft
    const note =
      left === null
        ? ''
        : left < 0
          ? this.t('overdueBy', { n: -left })
          : left === 0
            ? this.t('dueToday')
            : left === 1
              ? this.t('dayLeft')
              : this.t('daysLeft', { n: left })
    return html`${formatDate(item.dueDate, this.currentLang())}${note ? html`<br /><span class=${left !== null && left < 0 ? 'late' : left !== null && left <= 2 ? 'soon' : 'muted'}>${note}</span>` : nothing}`
  }

  private renderEntry(item: WorklistItem, index: number): TemplateResult {
    return html`<tr>
      <td><span data-row tabindex=${index === 0 ? 0 : -1} @keydown=${(e: KeyboardEvent) => this.onRowKey(e, index, item)}>${item.sender ?? ''}</span></td>
      <td>${item.subject ?? ''}</td>
      <td>${item.reason ?? ''}</td>
      <td>${formatDateTime(item.lastActivityAt, this.currentLang())}</td>
    </tr>`
  }
}

if (!customElements.get('trc-worklist')) customElements.define('trc-worklist', TrcWorklist)
