// `oidc-provider` ships no type declarations: the part of its surface test/helpers/oauth-provider.ts uses.
declare module 'oidc-provider' {
  import type { Server } from 'node:http'

  export interface ProviderTokenEvent {
    accountId?: string
    jti: string
  }

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>)
    listen(port: number, host: string, cb: () => void): Server
    on(event: string, listener: (token: ProviderTokenEvent) => void): this
    /** Koa middleware around every endpoint. */
    use(middleware: (ctx: { path: string; status: number; body: unknown }, next: () => Promise<void>) => Promise<void>): this
  }
}
