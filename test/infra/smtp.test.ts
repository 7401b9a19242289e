// The SMTP harness itself: a real smtp-server on 127.0.0.1 and a real nodemailer client, no mocks.
import t from 'tap'
import nodemailer from 'nodemailer'
import { createConnection } from 'node:net'
import { startSmtpServer } from '../helpers/smtp.js'

interface SmtpClientError extends Error {
  responseCode?: number
  response?: string
  code?: string
}

async function sendError(promise: Promise<unknown>): Promise<SmtpClientError> {
  try {
    await promise
  } catch (err) {
    return err as SmtpClientError
  }
  throw new Error('expected sendMail to fail')
}

const mail = {
  from: 'Ufficio Reclami <reclami@comune.example.it>',
  to: 'anna.rossi@example.it',
  subject: 'Re: Segnalazione n. 42 – ritiro ingombranti',
  text: 'Gentile cittadina, la segnalazione è stata presa in carico.',
  attachments: [{ filename: 'ricevuta.txt', content: 'ricevuta' }]
}

t.test('receives a nodemailer message with envelope, raw and parsed form', async (t) => {
  const smtp = await startSmtpServer({ t })
  t.equal(smtp.host, '127.0.0.1')
  t.equal(smtp.url, `smtp://127.0.0.1:${smtp.port}`)
  const transport = nodemailer.createTransport(smtp.transportOptions())
  t.teardown(() => transport.close())

  const info = await transport.sendMail({ ...mail, cc: 'protocollo@comune.example.it', messageId: '<reply-42@comune.example.it>' })
  t.same(info.rejected, [])
  // Recorded before the 250 reply: no waiting needed after sendMail().
  t.equal(smtp.messages.length, 1)
  const [received] = await smtp.waitFor(1, 1000)
  if (received === undefined) return
  t.equal(received.envelope.from, 'reclami@comune.example.it')
  t.same(received.envelope.to, ['anna.rossi@example.it', 'protocollo@comune.example.it'])
  t.ok(Buffer.isBuffer(received.raw))
  t.match(received.raw.toString('utf8'), /^Message-ID: <reply-42@comune\.example\.it>\r$/m)
  t.equal(received.parsed.subject, mail.subject)
  t.equal(received.parsed.messageId, '<reply-42@comune.example.it>')
  t.equal(received.parsed.text?.trim(), mail.text)
  t.equal(received.parsed.attachments[0]?.filename, 'ricevuta.txt')
  t.equal(received.session.remoteAddress, '127.0.0.1')
  t.equal(received.session.user, undefined, 'no authentication needed')

  // Clients that do authenticate are accepted as well.
  const withAuth = nodemailer.createTransport({ ...smtp.transportOptions(), auth: { user: 'mailer', pass: 'whatever' } })
  t.teardown(() => withAuth.close())
  await withAuth.sendMail({ ...mail, subject: 'authenticated' })
  const messages = await smtp.waitFor(2)
  t.equal(messages[1]?.session.user, 'mailer')
})

t.test('no STARTTLS is offered', async (t) => {
  const smtp = await startSmtpServer({ t })
  const lines = await new Promise<string>((resolve, reject) => {
    let data = ''
    const socket = createConnection({ host: smtp.host, port: smtp.port })
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      data += chunk
      if (data.startsWith('220') && !data.includes('EHLO-SENT')) {
        data += 'EHLO-SENT\n'
        socket.write('EHLO client.test\r\n')
      } else if (/^250 /m.test(data)) {
        socket.end('QUIT\r\n')
        resolve(data)
      }
    })
    socket.on('error', reject)
  })
  t.match(lines, /^220 /)
  t.notMatch(lines, /STARTTLS/)
})

t.test('failWith makes nodemailer get the code', async (t) => {
  const smtp = await startSmtpServer({ t })
  const transport = nodemailer.createTransport(smtp.transportOptions())
  t.teardown(() => transport.close())

  await t.test('permanent 550 on DATA', async (t) => {
    smtp.failWith(550, 'Message refused by policy')
    const err = await sendError(transport.sendMail(mail))
    t.equal(err.responseCode, 550)
    t.match(err.response ?? '', /550 Message refused by policy/)
    t.equal(smtp.messages.length, 0)
    t.equal(smtp.rejected.at(-1)?.stage, 'DATA')
    smtp.clearFailure()
    await transport.sendMail(mail)
    t.equal(smtp.messages.length, 1, 'accepted again after clearFailure()')
  })

  await t.test('temporary 451 on RCPT', async (t) => {
    smtp.reset()
    smtp.failWith(451, 'Greylisted, try again later', { on: 'RCPT' })
    const err = await sendError(transport.sendMail(mail))
    t.equal(err.responseCode, 451)
    t.equal(err.code, 'EENVELOPE')
    t.match(err.response ?? '', /^451 /)
    t.same(
      smtp.rejected.map((r) => [r.stage, r.code, r.recipient]),
      [['RCPT', 451, 'anna.rossi@example.it']]
    )
    smtp.clearFailure()
  })

  await t.test('times: fail once, then accept (retry)', async (t) => {
    smtp.reset()
    smtp.failWith(451, undefined, { times: 1 })
    const err = await sendError(transport.sendMail(mail))
    t.equal(err.responseCode, 451)
    await transport.sendMail(mail)
    t.equal(smtp.messages.length, 1)
  })

  await t.test('550 for one recipient only', async (t) => {
    smtp.reset()
    smtp.failWith(550, 'No such user', { on: 'RCPT', recipients: ['Nobody@example.it'] })
    const info = await transport.sendMail({ ...mail, to: ['anna.rossi@example.it', 'nobody@example.it'] })
    t.same(info.rejected, ['nobody@example.it'])
    t.match(String(info.rejectedErrors?.[0]?.responseCode), '550')
    t.same(smtp.messages[0]?.envelope.to, ['anna.rossi@example.it'])
    smtp.clearFailure()
  })

  await t.test('invalid codes are refused', async (t) => {
    t.throws(() => smtp.failWith(250), /not a 4xx\/5xx/)
  })
})

t.test('stop() then start() on the same port', async (t) => {
  const smtp = await startSmtpServer({ t })
  const port = smtp.port
  // A pooled transport keeps its connection open across messages.
  const transport = nodemailer.createTransport({ ...smtp.transportOptions(), pool: true, maxConnections: 1 })
  t.teardown(() => transport.close())
  await transport.sendMail(mail)

  await smtp.stop()
  t.notOk(smtp.running)
  const err = await sendError(transport.sendMail(mail))
  t.match(err.code ?? '', /ECONNECTION|ESOCKET/, `down: ${err.code ?? ''} ${err.message}`)
  await t.rejects(smtp.waitFor(2, 200), /expected 2 message\(s\) within 200 ms, got 1/)

  await smtp.start()
  t.equal(smtp.port, port, 'same port')
  const waiting = smtp.waitFor(2, 5000)
  await transport.sendMail(mail)
  const messages = await waiting
  t.equal(messages.length, 2, 'messages kept across stop/start')
})

t.test('size limit', async (t) => {
  const smtp = await startSmtpServer({ t, size: 1024 })
  const transport = nodemailer.createTransport(smtp.transportOptions())
  t.teardown(() => transport.close())
  const err = await sendError(transport.sendMail({ ...mail, text: 'x'.repeat(4096) }))
  t.equal(err.responseCode, 552)
})
