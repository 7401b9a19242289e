// The browser bundle keeps its own copy of the request types (importing the server module would bundle its
// keyword tables too): this keeps the copy equal to the server's list.
import t from 'tap'
import { REQUEST_TYPE_CODES } from '../../src/domain/arera.js'
import { REQUEST_TYPES } from '../../ui-extension/src/types.js'

t.same([...REQUEST_TYPES], [...REQUEST_TYPE_CODES], 'the UI offers exactly the server request types, in order')
