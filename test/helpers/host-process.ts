// The example host as a real process (`example-host/server.ts` under tsx), on a test database: started with its
// own DATA_DIR, killed (SIGKILL) and cleaned up at teardown.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { TestDatabase } from './db.js'
import { TEST_SECRET } from './host.js'
import { waitFor } from './wait.js'

const SERVER = path.resolve(import.meta.dirname, '../../example-host/server.ts')

export interface HostProcess {
  child: ChildProcess
  port: number
  exited: Promise<number | null>
  output(): string
  /** SIGTERM, and the exit code once it has shut down. */
  stop(): Promise<number | null>
}

export function startServer(t: { teardown(fn: () => unknown): void }, db: TestDatabase, env: Record<string, string>): HostProcess {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'trc-host-'))
  const port = Number(env.PORT)
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER], {
    env: { ...process.env, DATABASE_URL: db.url, DATA_DIR: dataDir, TRC_SECRET: TEST_SECRET, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString()
  })
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString()
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await exited
    }
    rmSync(dataDir, { recursive: true, force: true })
  })
  return {
    child,
    port,
    exited,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      return exited
    }
  }
}

/** Resolves once the host answers its liveness probe (fails at once if it exited). */
export async function ready(host: HostProcess, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    async () => {
      if (host.child.exitCode !== null) throw new Error(`the host exited with ${host.child.exitCode}: ${host.output()}`)
      return fetch(`http://127.0.0.1:${host.port}/api/communications/health/live`).then(
        (r) => r.status,
        () => 0
      )
    },
    (status) => status === 200,
    timeoutMs,
    `host on port ${host.port}`
  )
}
