// The shared corpus of real-world mail sits beside the repository (../shared/corpus). A clone on its own has no
// such folder: the tests that read it skip with this reason instead of failing.
import { existsSync } from 'node:fs'
import path from 'node:path'

export const CORPUS_DIR = path.resolve(import.meta.dirname, '../../../shared/corpus')

/** `false` when the corpus is there, else the skip reason for tap's `skip` option. */
export const corpusSkip: string | false = existsSync(CORPUS_DIR) ? false : `the shared corpus is not beside the repository (${CORPUS_DIR})`
