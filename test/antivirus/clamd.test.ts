// The INSTREAM client against a real clamd on loopback with our own signature database.
import t from 'tap'
import JSZip from 'jszip'
import { createServer } from 'node:net'
import { once } from 'node:events'
import { ClamdUnavailableError, createClamdClient, parseClamdUrl, parseVerdict } from '../../src/antivirus/clamd.js'
import { clamdMissing, EICAR, startClamd, TEST_SIGNATURE } from '../helpers/clamd.js'
import { freePort } from '../helpers/free-port.js'

t.test('CLAMD_URL forms', async (t) => {
  t.same(parseClamdUrl('tcp://127.0.0.1:3310'), { host: '127.0.0.1', port: 3310 })
  t.same(parseClamdUrl('tcp://[::1]:3310'), { host: '::1', port: 3310 })
  t.same(parseClamdUrl('/run/clamav/clamd.ctl'), { path: '/run/clamav/clamd.ctl' })
  t.same(parseClamdUrl('unix:///run/clamav/clamd.ctl'), { path: '/run/clamav/clamd.ctl' })
  t.throws(() => parseClamdUrl('http://x:1'), /expected tcp:\/\/host:port or a socket path/)
  t.throws(() => parseClamdUrl('tcp://x:70000'), /expected tcp/)
})

t.test('verdicts as clamd spells them', async (t) => {
  t.same(parseVerdict('stream: OK\0'), { status: 'clean' })
  t.same(parseVerdict('stream: Win.Test.EICAR_HDB-1 FOUND\0'), { status: 'infected', signature: 'Win.Test.EICAR_HDB-1' })
  t.same(parseVerdict('INSTREAM size limit exceeded. ERROR\0'), { status: 'error', message: 'INSTREAM size limit exceeded.' })
  t.same(parseVerdict(''), { status: 'error', message: 'empty answer' })
})

t.test('a real clamd', { skip: clamdMissing }, async (t) => {
  const clamd = await startClamd()
  t.teardown(() => clamd.destroy())
  const client = createClamdClient(parseClamdUrl(clamd.url), { chunkBytes: 1000 })

  t.test('PING', async (t) => {
    t.equal(await client.ping(), true)
  })

  t.test('a clean file, streamed in chunks', async (t) => {
    t.same(await client.scan(Buffer.alloc(50_000, 'a')), { status: 'clean' })
  })

  t.test('the EICAR test file', async (t) => {
    t.same(await client.scan(Buffer.concat([Buffer.from('prefix '), EICAR])), { status: 'infected', signature: TEST_SIGNATURE })
  })

  t.test('an async iterable of chunks', async (t) => {
    async function* parts() {
      yield EICAR.subarray(0, 10)
      yield EICAR.subarray(10)
    }
    t.same(await client.scan(parts()), { status: 'infected', signature: TEST_SIGNATURE })
  })

  t.test('a zip containing it (clamd unpacks archives)', async (t) => {
    const zip = new JSZip()
    zip.file('leggimi.txt', 'niente di strano')
    zip.file('documenti/fattura.com', EICAR)
    const bytes = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' })
    t.notOk(bytes.includes(EICAR), 'compressed: the bytes are not in the zip as such')
    t.same(await client.scan(bytes), { status: 'infected', signature: TEST_SIGNATURE })
  })

  t.test('beyond StreamMaxLength: an error verdict, not a crash', async (t) => {
    // clamd answers and closes; its reset can overtake the answer, which is then lost
    const verdict = await client.scan(Buffer.alloc(3 * 1024 * 1024, 'b'))
    t.equal(verdict.status, 'error')
    t.match(verdict, { message: /^(INSTREAM size limit exceeded\.|clamd closed the stream \((EPIPE|ECONNRESET)\))$/ })
  })
})

t.test('clamd down: ClamdUnavailableError', async (t) => {
  const port = await freePort()
  const client = createClamdClient({ host: '127.0.0.1', port })
  await t.rejects(client.scan(Buffer.from('x')), ClamdUnavailableError)
  await t.rejects(client.scan(Buffer.from('x')), /clamd unreachable: ECONNREFUSED/)
  t.equal(await client.ping(), false)
})

t.test('clamd silent: a timeout', async (t) => {
  const server = createServer(() => {
    /* accepts, never answers */
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => {
    server.close()
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  const client = createClamdClient({ host: '127.0.0.1', port }, { timeoutMs: 200 })
  await t.rejects(client.scan(Buffer.from('x')), { name: 'ClamdUnavailableError', message: 'clamd did not answer within 200 ms' })
})
