// <trc-mail-body>: one message's HTML in a sandboxed iframe. The sandbox has no allow-scripts (nothing in the
// mail can run, whatever slipped past two sanitisers) and keeps the page's origin only so that inline images load
// with the operator's session and the frame can be sized to its content; the CSP forbids scripts, remote loads
// and forms even if the sandbox were lifted. Links open in a new tab, outside the sandbox, without referrer.
import { LitElement, css, html } from 'lit'
import { frameDocument } from './body.js'

const FRAME_SANDBOX = 'allow-same-origin allow-popups allow-popups-to-escape-sandbox'

export class TrcMailBody extends LitElement {
  static override properties = {
    html: { type: String },
    label: { type: String },
    frameLang: { type: String, attribute: 'frame-lang' }
  }

  declare html: string
  declare label: string
  declare frameLang: string

  private resizeObserver: ResizeObserver | null = null
  private contentObserver: ResizeObserver | null = null
  private lastWidth = 0

  static override styles = css`
    :host { display: block; }
    iframe { display: block; width: 100%; border: 0; height: 1.6em; overflow: hidden; background: transparent; color-scheme: light; }
  `

  constructor() {
    super()
    this.html = ''
    this.label = ''
    this.frameLang = 'it'
  }

  override connectedCallback(): void {
    super.connectedCallback()
    // The tab may be hidden when the frame loads (height 0): measure again whenever our own box changes width.
    this.resizeObserver = new ResizeObserver((entries) => {
      const width = entries[0]?.contentRect.width ?? 0
      if (width !== this.lastWidth) {
        this.lastWidth = width
        this.measure()
      }
    })
    this.resizeObserver.observe(this)
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    this.resizeObserver?.disconnect()
    this.contentObserver?.disconnect()
  }

  private get frame(): HTMLIFrameElement | null {
    return this.renderRoot.querySelector('iframe')
  }

  /** Sets the frame's height to its content's. */
  measure(): void {
    const frame = this.frame
    const doc = frame?.contentDocument
    if (!frame || !doc?.documentElement) return
    // The body's own height: the document's scrollHeight never drops below the frame's current height, so a frame
    // reused for a shorter message would keep its old size.
    const body = doc.body
    if (!body) return
    const height = Math.ceil(Math.max(body.scrollHeight, body.getBoundingClientRect().height))
    if (height > 0) frame.style.height = `${height}px`
  }

  private onLoad(): void {
    const doc = this.frame?.contentDocument
    if (!doc) return
    this.measure()
    for (const img of Array.from(doc.images)) {
      if (!img.complete) {
        img.addEventListener('load', () => this.measure(), { once: true })
        img.addEventListener('error', () => this.measure(), { once: true })
      }
    }
    this.contentObserver?.disconnect()
    this.contentObserver = new ResizeObserver(() => this.measure())
    if (doc.body) this.contentObserver.observe(doc.body)
    // fonts and late layout
    setTimeout(() => this.measure(), 250)
  }

  override render() {
    return html`<iframe
      sandbox=${FRAME_SANDBOX}
      referrerpolicy="no-referrer"
      title=${this.label}
      .srcdoc=${frameDocument(this.html, this.frameLang)}
      @load=${this.onLoad}
    ></iframe>`
  }
}

if (!customElements.get('trc-mail-body')) customElements.define('trc-mail-body', TrcMailBody)

declare global {
  interface HTMLElementTagNameMap {
    'trc-mail-body': TrcMailBody
  }
}
