// Polls a condition (a database count, a state) until it holds or the time runs out.
export async function waitFor<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const start = Date.now()
  let last: T = await probe()
  while (!accept(last)) {
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}`)
    await new Promise((r) => setTimeout(r, 50))
    last = await probe()
  }
  return last
}
