// A private ClamAV daemon for one test file: its own config and a signature database the test writes itself
// (the official one cannot be downloaded here), listening on 127.0.0.1:<free port>. Stopped by its pid.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createClamdClient } from '../../src/antivirus/clamd.js'
import { freePort } from './free-port.js'

const CLAMD = ['/usr/sbin/clamd', '/usr/local/sbin/clamd', '/usr/bin/clamd'].find((p) => existsSync(p))
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p))

/** Why the clamd tests cannot run here, or false when they can. */
export const clamdMissing: string | false = CLAMD ? false : 'clamd is not installed (Debian: apt-get install clamav-daemon; .ci/run installs it)'

/** The EICAR test string, split so this file is not itself flagged by a scanner. */
export const EICAR = Buffer.from(['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'].join(''))
const SIGNATURE_NAME = 'Trc.Test.Eicar'
/** What clamd reports for it: signatures outside ClamAV's signed databases get `.UNOFFICIAL`. */
export const TEST_SIGNATURE = `${SIGNATURE_NAME}.UNOFFICIAL`

export interface TestClamd {
  url: string
  port: number
  /** Stops the daemon (by its pid) and waits for it to exit; the port stays reserved for `start()` again. */
  stop(): Promise<void>
  /** Starts it again on the same port. */
  start(): Promise<void>
  destroy(): Promise<void>
}

export async function startClamd(): Promise<TestClamd> {
  if (!CLAMD) throw new Error(clamdMissing as string)
  const dir = mkdtempSync(path.join(tmpdir(), 'trc-clamd-'))
  const port = await freePort()
  // an .ndb body signature (matches anywhere in a file, so inside archives too): name:target:offset:hex
  const dbDir = path.join(dir, 'db')
  mkdirSync(dbDir)
  writeFileSync(path.join(dbDir, 'trc-test.ndb'), `${SIGNATURE_NAME}:0:*:${EICAR.toString('hex')}\n`)
  const config = path.join(dir, 'clamd.conf')
  writeFileSync(
    config,
    [
      `DatabaseDirectory ${dbDir}`,
      `TemporaryDirectory ${dir}`,
      `LogFile ${path.join(dir, 'clamd.log')}`,
      'TCPAddr 127.0.0.1',
      `TCPSocket ${port}`,
      'Foreground yes',
      'StreamMaxLength 2M',
      'MaxThreads 4',
      'SelfCheck 0'
    ].join('\n') + '\n'
  )
  const url = `tcp://127.0.0.1:${port}`
  let child: ChildProcess | null = null
  let output = ''

  async function start(): Promise<void> {
    const [command, args] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'KILL', CLAMD as string, '-c', config]] : [CLAMD as string, ['-c', config]]
    output = ''
    const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    proc.stdout?.on('data', (d: Buffer) => {
      output += d.toString()
    })
    proc.stderr?.on('data', (d: Buffer) => {
      output += d.toString()
    })
    child = proc
    const client = createClamdClient({ host: '127.0.0.1', port }, { timeoutMs: 2000 })
    const deadline = Date.now() + 60_000
    while (!(await client.ping())) {
      if (proc.exitCode !== null || Date.now() > deadline) {
        proc.kill('SIGKILL')
        throw new Error(`clamd did not start (exit ${proc.exitCode}):\n${output}`)
      }
      await new Promise((r) => setTimeout(r, 100))
    }
  }

  async function stop(): Promise<void> {
    const proc = child
    child = null
    if (!proc || proc.exitCode !== null || proc.pid === undefined) return
    const exited = once(proc, 'exit')
    process.kill(proc.pid, 'SIGTERM')
    const timer = setTimeout(() => proc.pid !== undefined && proc.exitCode === null && process.kill(proc.pid, 'SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
  }

  await start()
  return {
    url,
    port,
    start,
    stop,
    async destroy() {
      await stop()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
