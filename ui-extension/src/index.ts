// Entry of the browser bundle: defines <trc-communications> (and its parts) once, whatever the host loads twice.
export { TrcCommunications } from './trc-communications.js'
export { TrcCompose } from './compose.js'
export { TrcMailBody } from './mail-body.js'
export { TrcWorklist } from './trc-worklist.js'
