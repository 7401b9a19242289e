// Types for build.mjs (imported by the UI tests to build the bundle before they run).
import type { BuildOptions } from 'esbuild'

export declare const entry: string
export declare const outfile: string
export declare const buildOptions: BuildOptions
export declare function buildUi(options?: { quiet?: boolean }): Promise<{ outfile: string; raw: number; gzip: number }>
