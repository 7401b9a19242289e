// `npm run bench`: runs every benchmark and prints figures and ratios. BENCH_QUICK=1 for a short run.
import { benchInbound } from './inbound.js'
import { benchLive } from './live.js'
import { benchOAuth2 } from './oauth2.js'
import { benchReliability } from './reliability.js'
import { benchSearch } from './search.js'
import { benchWorklist } from './worklist.js'

const quick = process.env.BENCH_QUICK === '1'
const results: Record<string, unknown> = {}
results.inbound = await benchInbound(quick ? { small: 500, mixed: 50, latencySamples: 10, archive: 500 } : {})
results.idleLatencyOAuth2 = await benchOAuth2(quick ? 10 : 40)
try {
  const outbound = (await import('./outbound.js' as string)) as { benchOutbound?: () => Promise<Record<string, number>> }
  if (outbound.benchOutbound) results.outbound = await outbound.benchOutbound()
} catch (err) {
  if ((err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw err
}
results.search = await benchSearch(quick ? { messages: 5_000, runs: 10 } : {})
process.stderr.write(
  `bench: ${JSON.stringify({ inbound: results.inbound, idleLatencyOAuth2: results.idleLatencyOAuth2, outbound: results.outbound, search: results.search })}\n`
) // kept if a later part fails
results.live = await benchLive(quick)
results.reliability = await benchReliability(quick)
results.worklist = await benchWorklist(quick ? { workOrders: 10_000, runs: 10 } : {})
console.log(JSON.stringify(results, null, 2))
process.exit(0)
