#!/usr/bin/env node
/* global console */
// Builds the Communications tab: ui-extension/src/index.ts → ui-extension/dist/trc-communications.js, one
// self-contained, minified ES module (Lit included). Prints the raw and gzipped size.
//
//   node ui-extension/build.mjs            build once
//   node ui-extension/build.mjs --watch    rebuild on change
//
// Also importable: `import { buildUi } from './ui-extension/build.mjs'` (the UI tests build before they run).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { Buffer } from 'node:buffer'
import process from 'node:process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import * as esbuild from 'esbuild'

const here = path.dirname(fileURLToPath(import.meta.url))
export const entry = path.join(here, 'src', 'index.ts')
export const outfile = path.join(here, 'dist', 'trc-communications.js')

/** esbuild settings shared by the one-shot build and watch mode. */
export const buildOptions = {
  entryPoints: [entry],
  outfile,
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022', 'chrome109', 'firefox115', 'safari16'],
  platform: 'browser',
  legalComments: 'none',
  sourcemap: false,
  charset: 'utf8',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' }
}

export async function buildUi({ quiet = false } = {}) {
  mkdirSync(path.dirname(outfile), { recursive: true })
  // Written to a temporary file and renamed: a server reading the bundle (or a parallel test building it) never
  // sees half a file; an unchanged build leaves the file (and so its ETag) alone.
  const result = await esbuild.build({ ...buildOptions, write: false })
  const content = Buffer.from(result.outputFiles[0].contents)
  let previous
  try {
    previous = readFileSync(outfile)
  } catch {
    previous = null
  }
  if (!previous || !previous.equals(content)) {
    const temporary = `${outfile}.${process.pid}.${Date.now()}.tmp`
    writeFileSync(temporary, content)
    renameSync(temporary, outfile)
  }
  const size = { raw: content.length, gzip: gzipSync(content, { level: 9 }).length }
  if (!quiet) {
    console.log(`ui-extension: ${path.relative(process.cwd(), outfile)} ${(size.raw / 1024).toFixed(1)} KB, ${(size.gzip / 1024).toFixed(1)} KB gzipped`)
  }
  return { outfile, ...size }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--watch')) {
    const ctx = await esbuild.context({ ...buildOptions, logLevel: 'info' })
    await ctx.watch()
    console.log('ui-extension: watching for changes')
  } else {
    try {
      await buildUi()
    } catch (err) {
      console.error(err instanceof Error ? err.message : err)
      process.exit(1)
    }
  }
}
