// A small Server-Sent Events client over node:http, for tests and benchmarks: opens GET <url> with the given
// headers, parses `id:`/`data:` frames as they arrive and lets the caller wait for the next ones.
import http from 'node:http'

export interface SseEvent {
  id: string | null
  data: unknown
  receivedAt: number
}

export interface SseClient {
  status: number
  headers: http.IncomingHttpHeaders
  events: SseEvent[]
  comments: string[]
  /** Resolves when `n` events in all have arrived (rejects after `timeoutMs`). */
  waitForEvents(n: number, timeoutMs?: number): Promise<SseEvent[]>
  /** The whole body of a response that was not a stream (an error). */
  body(): Promise<string>
  /** Resolves when the server ends the stream. */
  ended: Promise<void>
  close(): void
}

export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (response) => {
      response.setEncoding('utf8')
      const events: SseEvent[] = []
      const comments: string[] = []
      const waiters = new Set<() => void>()
      let buffer = ''
      let text = ''
      const ended = new Promise<void>((done) => response.on('close', done))
      response.on('data', (chunk: string) => {
        text += chunk
        buffer += chunk
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          let id: string | null = null
          const data: string[] = []
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim())
            else if (line.startsWith('id:')) id = line.slice(3).trim()
            else if (line.startsWith('data:')) data.push(line.slice(5).trim())
          }
          if (data.length) events.push({ id, data: JSON.parse(data.join('\n')), receivedAt: Date.now() })
        }
        for (const wake of [...waiters]) wake()
      })
      resolve({
        status: response.statusCode ?? 0,
        headers: response.headers,
        events,
        comments,
        ended,
        body: async () => {
          await ended
          return text
        },
        waitForEvents(n, timeoutMs = 10_000) {
          return new Promise((done, fail) => {
            const check = () => {
              if (events.length < n) return
              waiters.delete(check)
              clearTimeout(timer)
              done(events.slice(0, n))
            }
            const timer = setTimeout(() => {
              waiters.delete(check)
              fail(new Error(`${events.length} of ${n} events after ${timeoutMs} ms: ${JSON.stringify(events.map((e) => e.data))}`))
            }, timeoutMs)
            waiters.add(check)
            check()
          })
        },
        close: () => request.destroy()
      })
    })
    request.on('error', reject)
  })
}
