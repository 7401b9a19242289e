// Live updates for the module's elements on a page: one EventSource on `<api-base>/events` per API base, shared
// by every subscriber (the Communications tab, a worklist…), which each hear every change and pick theirs. The
// host's session cookie authenticates the stream (same origin). EventSource reconnects by itself after a dropped
// connection and resumes from the last event id; when it keeps failing (or the server refuses it), subscribers
// are told `down` and should poll, and the stream is tried again after a while. After a fresh connection (not a
// resumed one) subscribers get `{ kind: 'resync', workOrderId: null }`: what happened meanwhile is unknown.

export interface LiveChange {
  workOrderId: number | null
  kind: string
}

export type LiveStatus = 'connecting' | 'live' | 'down'

export interface LiveSubscription {
  readonly status: LiveStatus
  close(): void
}

export interface SubscribeOptions {
  /** The module's API base (default `/api/communications`). */
  apiBase?: string
  /** Called when the stream goes up or down (poll while it is down). */
  onStatus?: (status: LiveStatus) => void
}

interface Subscriber {
  onChange: (change: LiveChange) => void
  onStatus?: (status: LiveStatus) => void
}

/** Errors in a row, without an open in between, before subscribers fall back to polling. */
const MAX_FAILURES = 3
/** After falling back, how long before the stream is tried again. */
const RETRY_MS = 60_000

class LiveHub {
  readonly subscribers = new Set<Subscriber>()
  status: LiveStatus = 'connecting'
  private source: EventSource | null = null
  private failures = 0
  private retry: ReturnType<typeof setTimeout> | null = null
  private opened = false

  constructor(private readonly url: string) {}

  start(): void {
    if (this.source || this.retry) return
    if (typeof EventSource === 'undefined') return this.setStatus('down')
    const source = new EventSource(this.url, { withCredentials: true })
    this.source = source
    this.opened = false
    source.onopen = () => {
      this.failures = 0
      const fresh = !this.opened
      this.opened = true
      this.setStatus('live')
      // a resumed connection (Last-Event-ID) gets what it missed from the server; a fresh one cannot
      if (fresh) this.dispatch({ workOrderId: null, kind: 'resync' })
    }
    source.onmessage = (event: MessageEvent<string>) => {
      try {
        const data = JSON.parse(event.data) as Partial<LiveChange>
        this.dispatch({ workOrderId: typeof data.workOrderId === 'number' ? data.workOrderId : null, kind: String(data.kind ?? '') })
      } catch {
        // not ours: ignore
      }
    }
    source.onerror = () => {
      this.failures++
      // CLOSED: the server refused the stream (401, 403, 500…), EventSource will not retry by itself
      if (source.readyState === EventSource.CLOSED || this.failures >= MAX_FAILURES) this.fallBack()
      else this.setStatus('connecting')
    }
  }

  stop(): void {
    this.source?.close()
    this.source = null
    if (this.retry) clearTimeout(this.retry)
    this.retry = null
  }

  private fallBack(): void {
    this.stop()
    this.failures = 0
    this.setStatus('down')
    this.retry = setTimeout(() => {
      this.retry = null
      if (this.subscribers.size) this.start()
    }, RETRY_MS)
  }

  private setStatus(status: LiveStatus): void {
    if (status === this.status) return
    this.status = status
    for (const s of [...this.subscribers]) s.onStatus?.(status)
  }

  private dispatch(change: LiveChange): void {
    for (const s of [...this.subscribers]) s.onChange(change)
  }
}

const hubs = new Map<string, LiveHub>()

/** Hears every change the signed-in operator may see, until `close()`. */
export function subscribe(onChange: (change: LiveChange) => void, options: SubscribeOptions = {}): LiveSubscription {
  const url = `${(options.apiBase || '/api/communications').replace(/\/$/, '')}/events`
  let hub = hubs.get(url)
  if (!hub) {
    hub = new LiveHub(url)
    hubs.set(url, hub)
  }
  const subscriber: Subscriber = { onChange, onStatus: options.onStatus }
  hub.subscribers.add(subscriber)
  hub.start()
  const owner = hub
  return {
    get status() {
      return owner.status
    },
    close() {
      owner.subscribers.delete(subscriber)
      if (owner.subscribers.size === 0) {
        owner.stop()
        hubs.delete(url)
      }
    }
  }
}
