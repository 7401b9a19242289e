// A free TCP port on a loopback address, for the test servers (Dovecot, SMTP) this suite starts.
import { once } from 'node:events'
import { createServer } from 'node:net'

export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer()
  server.listen(0, host)
  await once(server, 'listening')
  const address = server.address()
  server.close()
  await once(server, 'close')
  if (address === null || typeof address === 'string') throw new Error('could not allocate a free port')
  return address.port
}
