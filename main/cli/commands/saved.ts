import { readFile } from 'node:fs/promises'
import path from 'node:path'
import {
  CLIENT_FRAMINGS,
  DEFAULT_HOST,
  MAX_SAVED_IMPORT_BATCH,
  methodSpecs,
  SAVED_EXPORT_FORMAT,
  SAVED_EXPORT_VERSION,
  savedExportFile,
  savedMessageFields,
  TEXT_ENCODINGS,
  type SavedMessage,
  type SavedMessageFields,
} from '../../../shared/contract'
import { Lab } from '../../lab/lab'
import { LabError } from '../../lab/errors'
import { LAB_VERSION } from '../../paths'
import { JSON_OPTION, type Command, type OptionValues } from '../command'
import { limitsOf } from '../../../shared/schema'
import { intOption, rangeOf, usageError, type CliIo } from '../io'
import { defaultDataDir } from './web'
import { TCP_REPLY_QUIET_MS } from '../../../shared/budgets'

/** The contract's fields: every range below is read from them, never restated. */
const FIELDS = savedMessageFields.shape
/** A saved message is sent as the clients send: what `add` leaves out is their default (the schemas'). */
const OPEN = methodSpecs['net.tcpClient.open'].input.shape
const SEND = methodSpecs['net.tcpClient.send'].input.shape
const UDP_SEND = methodSpecs['net.udp.send'].input.shape
/** `send` waits for replies as long as the UDP sender does by default (TCP too: one wait for either). */
const REPLY_WAIT_MS = UDP_SEND.waitReplyMs.default

const ACTIONS = ['list', 'add', 'send', 'export', 'import'] as const
type Action = (typeof ACTIONS)[number]

function choice<T extends string>(value: unknown, allowed: readonly T[], name: string): T | undefined {
  if (value === undefined) return undefined
  if (!(allowed as readonly unknown[]).includes(value)) throw usageError(`--${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`, { option: name })
  return value as T
}

function dataDirOf(values: OptionValues): string {
  const given = values['data-dir'] as string | undefined
  if (given !== undefined && given.trim() === '') throw usageError('--data-dir needs a folder', { option: 'data-dir' })
  return given !== undefined ? path.resolve(given) : defaultDataDir()
}

/** `lab saved add NAME MESSAGE... --port P …`: the fields, checked by the contract when saved. */
function fieldsOf(words: string[], values: OptionValues): SavedMessageFields {
  const [name, ...payload] = words
  if (!name || payload.length === 0) throw usageError('lab saved add needs NAME and MESSAGE (and --port P)')
  const port = intOption(values.port as string | undefined, 'port', FIELDS.port)
  if (port === undefined) throw usageError('lab saved add needs --port P: where the message goes', { option: 'port' })
  const proto = choice(values.proto, ['tcp', 'udp'] as const, 'proto') ?? 'tcp'
  const frame = choice(values.frame, CLIENT_FRAMINGS, 'frame') ?? OPEN.frame.default
  if (proto === 'udp' && frame !== 'none') throw usageError('--frame is for TCP: every UDP datagram already arrives whole', { option: 'frame' })
  return {
    name,
    group: (values.group as string | undefined) ?? '',
    payload: payload.join(' '),
    hex: values.hex === true,
    encoding: choice(values.encoding, TEXT_ENCODINGS, 'encoding') ?? OPEN.encoding.default,
    frame,
    proto,
    host: (values.host as string | undefined) ?? DEFAULT_HOST,
    port,
    repeat: intOption(values.repeat as string | undefined, 'repeat', FIELDS.repeat) ?? SEND.repeat.default,
    gapMs: intOption(values.gap as string | undefined, 'gap', FIELDS.gapMs) ?? SEND.gapMs.default,
    macros: values.macros === true,
  }
}

function find(list: SavedMessage[], which: string | undefined): SavedMessage {
  if (!which) throw usageError('lab saved send needs the NAME (or id) of a saved message; `lab saved list` shows them')
  const m = list.find((x) => x.id === which) ?? list.find((x) => x.name === which)
  if (!m) throw new LabError('ERR_NOT_FOUND', `no saved message named ${JSON.stringify(which)}`, { name: which })
  return m
}

function line(m: SavedMessage): string {
  const where = `${m.proto} ${m.host}:${m.port}${m.proto === 'tcp' && m.frame !== 'none' ? ` ${m.frame}` : ''}`
  const extra = [m.encoding !== 'utf8' ? m.encoding : '', m.repeat > 1 ? `x${m.repeat} ${m.gapMs}ms apart` : '', m.macros ? `next {{COUNTER}} ${m.counter}` : ''].filter(Boolean)
  return `${m.group ? `[${m.group}] ` : ''}${m.name}  ${where}  ${m.hex ? 'hex ' : ''}${JSON.stringify(m.payload)}${extra.length ? `  (${extra.join(', ')})` : ''}  ${m.id}`
}

/** Sends one saved message as the panel does, and keeps where its `{{COUNTER}}` goes on. */
async function send(lab: Lab, m: SavedMessage, timeoutMs: number, io: CliIo, json: boolean): Promise<number> {
  const macro = m.macros ? { macros: true, counter: m.counter } : {}
  let nextCounter = m.counter
  let out: Record<string, unknown>
  if (m.proto === 'udp') {
    const r = await lab.invoke('net.udp.send', { host: m.host, port: m.port, payload: m.payload, hex: m.hex, encoding: m.encoding, repeat: m.repeat, gapMs: m.gapMs, waitReplyMs: timeoutMs, ...macro })
    nextCounter = r.nextCounter
    out = { sent: r.sent.length, replies: r.replies.map((x) => x.text) }
  } else {
    const replies: string[] = []
    let id = ''
    let lastData = 0
    let closed = false
    const off = lab.onEvent((ev) => {
      if (ev.topic !== 'net.client' || ev.payload.clientId !== id) return
      const e = ev.payload
      if ((e.event === 'received' && m.frame === 'none') || e.event === 'message') {
        replies.push(e.text)
        lastData = performance.now()
      } else if (e.event === 'closed') closed = true
    })
    try {
      const client = await lab.invoke('net.tcpClient.open', { host: m.host, port: m.port, nodelay: true, frame: m.frame, encoding: m.encoding, timeoutMs })
      id = client.id
      const r = await lab.invoke('net.tcpClient.send', { id, payload: m.payload, hex: m.hex, repeat: m.repeat, gapMs: m.gapMs, ...macro })
      nextCounter = r.nextCounter
      // Replies until the server is quiet for a moment after answering, hangs up, or the timeout.
      const sentAt = performance.now()
      while (!closed && performance.now() - sentAt < timeoutMs && !(replies.length > 0 && performance.now() - lastData >= TCP_REPLY_QUIET_MS)) await new Promise((res) => setTimeout(res, 10))
      await lab.call('net.tcpClient.close', { id })
      out = { sent: r.sends, replies }
    } finally {
      off()
    }
  }
  if (m.macros) await lab.invoke('net.saved.counter', { id: m.id, next: nextCounter })
  if (json) io.out(JSON.stringify({ ok: true, id: m.id, name: m.name, ...out, nextCounter }))
  else {
    const replies = out.replies as string[]
    io.out(`sent ${m.name} ${String(out.sent)} time(s) to ${m.proto} ${m.host}:${m.port}; ${replies.length} repl${replies.length === 1 ? 'y' : 'ies'}${m.macros ? `; next {{COUNTER}} ${nextCounter}` : ''}`)
    for (const r of replies) io.out(r)
  }
  return 0
}

async function importFile(lab: Lab, file: string | undefined, io: CliIo, json: boolean): Promise<number> {
  if (!file) throw usageError('lab saved import needs FILE (one `lab saved export` wrote)')
  let value: unknown
  try {
    value = JSON.parse(await readFile(file, 'utf8'))
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw usageError(code ? `could not read ${file} (${code})` : `${file} is not JSON: ${(err as Error).message}`, { path: '' })
  }
  // The whole file is checked before anything is saved: the first problem names its place (messages[2].port).
  const parsed = savedExportFile.parse(value)
  if (!parsed.ok) throw usageError(`${file}: ${parsed.issue.path} ${parsed.issue.message}`, { detail: `${parsed.issue.path} ${parsed.issue.message}` })
  if (parsed.value.messages.length === 0) throw usageError(`${file} holds no messages`)
  let added = 0
  let total = 0
  for (let i = 0; i < parsed.value.messages.length; i += MAX_SAVED_IMPORT_BATCH) {
    const r = await lab.invoke('net.saved.import', { messages: parsed.value.messages.slice(i, i + MAX_SAVED_IMPORT_BATCH) })
    added += r.added
    total = r.total
  }
  io.out(json ? JSON.stringify({ ok: true, added, total }) : `imported ${added} message(s); ${total} saved`)
  return 0
}

async function runAction(lab: Lab, action: Action, words: string[], values: OptionValues, io: CliIo): Promise<number> {
  const json = values.json === true
  if (action === 'add') {
    const m = await lab.invoke('net.saved.put', { message: fieldsOf(words, values) })
    io.out(json ? JSON.stringify({ ok: true, message: m }) : `saved ${m.name} (${m.id})`)
    return 0
  }
  if (action === 'import') return importFile(lab, words[0], io, json)
  const saved = await lab.invoke('net.saved.list', {})
  if (saved.damaged > 0) io.err(`warning: ${saved.damaged} damaged line(s) of ${saved.file} could not be read; kept aside in ${saved.damagedFile}`)
  if (action === 'list') {
    if (json) io.out(JSON.stringify({ ok: true, ...saved }))
    else if (saved.messages.length === 0) io.out(`no saved messages in ${saved.file}; add one with \`lab saved add NAME MESSAGE --port P\``)
    else for (const m of saved.messages) io.out(line(m))
    return 0
  }
  if (action === 'export') {
    // The page's export format, so either side imports the other's file.
    const file = { format: SAVED_EXPORT_FORMAT, version: SAVED_EXPORT_VERSION, exportedAt: Date.now(), messages: saved.messages.map(({ id: _id, savedAt: _at, counter: _c, ...fields }) => fields) }
    io.out(JSON.stringify(file, null, json ? 0 : 2))
    return 0
  }
  const timeoutMs = intOption(values.timeout as string | undefined, 'timeout', OPEN.timeoutMs) ?? REPLY_WAIT_MS
  return send(lab, find(saved.messages, words[0]), timeoutMs, io, json)
}

export const savedCommand: Command = {
  name: 'saved',
  summary: 'list, add, send, export and import saved messages (the Saved tab\'s)',
  help: `lab saved list [--data-dir DIR] [--json]
lab saved add NAME MESSAGE... --port P [--proto tcp|udp] [--host H] [--group G] [--hex]
              [--encoding E] [--frame F] [--repeat N] [--gap MS] [--macros] [--data-dir DIR] [--json]
lab saved send NAME|ID [--timeout MS] [--data-dir DIR] [--json]
lab saved export [--data-dir DIR] > FILE
lab saved import FILE [--data-dir DIR] [--json]

The saved messages of the Network page's Clients › Saved tab, kept in saved-messages.jsonl
in the data folder (the same file the app reads). A damaged line is reported, not fatal.

  --data-dir DIR   the data folder (default: the lab's, ${defaultDataDir()})
  --port P         add: where the message goes (${rangeOf(FIELDS.port)}); --host H (default ${DEFAULT_HOST})
  --proto P        add: tcp (default, through a persistent client) or udp (one datagram each)
  --group G        add: the group it is listed under (up to ${limitsOf(FIELDS.group).max} characters)
  --hex            add: MESSAGE is hex digits, two per byte
  --encoding E     add: ${TEXT_ENCODINGS.join(', ')} (default ${OPEN.encoding.default})
  --frame F        add, TCP only: ${CLIENT_FRAMINGS.join(', ')} (default ${OPEN.frame.default})
  --repeat N       add: send it N times (${rangeOf(FIELDS.repeat)}, default ${SEND.repeat.default}); --gap MS between them
                   (${rangeOf(FIELDS.gapMs)}, default ${SEND.gapMs.default})
  --macros         add: expand {{COUNTER}} {{DATE}} {{TIME}} {{UNIXTIME}} {{RANDOM}} at each write;
                   {{COUNTER}} goes on from send to send (kept in the data folder, as in the app)
  --timeout MS     send: how long to connect and wait for replies (${rangeOf(OPEN.timeoutMs)}, default ${REPLY_WAIT_MS})
  --json           one JSON object: {"ok":true,...}; an error is {"ok":false,"error":{code,...}}

Errors are coded (ERR_INVALID_INPUT naming the option, ERR_NOT_FOUND, ERR_LIMIT, ERR_STORAGE …);
exit 0 ok, 1 failed, 2 bad usage.

Examples:
  lab saved add ping 'n={{COUNTER}}' --proto udp --port 8081 --macros
  lab saved send ping                      → n=1, then n=2 the next time
  lab saved export > mine.json && lab saved import mine.json --data-dir /tmp/other`,
  options: {
    'data-dir': { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    proto: { type: 'string' },
    group: { type: 'string' },
    hex: { type: 'boolean' },
    encoding: { type: 'string' },
    frame: { type: 'string' },
    repeat: { type: 'string' },
    gap: { type: 'string' },
    macros: { type: 'boolean' },
    timeout: { type: 'string' },
    ...JSON_OPTION,
  },
  async run({ positionals, values, io }) {
    const [action, ...words] = positionals
    const chosen = choice(action, ACTIONS, 'action')
    if (!chosen) throw usageError(`lab saved takes ${ACTIONS.join(', ')}; see \`lab saved --help\``)
    const lab = new Lab({ workersDir: io.workersDir, dataDir: dataDirOf(values), door: 'cli', version: LAB_VERSION })
    try {
      return await runAction(lab, chosen, words, values, io)
    } finally {
      await lab.close()
    }
  },
}
