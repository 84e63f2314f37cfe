import { CLIENT_FRAMINGS, methodSpecs, STICKY_DEFAULT_MESSAGES, TEXT_ENCODINGS, type StickyRunResult } from '../../../shared/contract'
import { Lab } from '../../lab/lab'
import { stickySettings } from '../../lab/net/sticky-experiment'
import { LAB_VERSION } from '../../paths'
import { JSON_OPTION, type Command } from '../command'
import { intOption, rangeOf, usageError } from '../io'
import { planMs, stickyBytesEstimate, stickyPlan } from '../../../shared/run-estimate'
import { CANCELLED_EXIT, cancellable, cancelledLine } from '../long-run'

const STICKY = methodSpecs['net.sticky.run'].input.shape

function pick<T extends string>(value: unknown, allowed: readonly T[], name: string): T | undefined {
  if (value === undefined) return undefined
  if (!(allowed as readonly unknown[]).includes(value)) throw usageError(`--${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`, { option: name })
  return value as T
}

/** Text that is safe and short on a terminal: control characters as \xNN, long text cut. */
function shown(text: string, max = 24): string {
  const safe = text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
  return safe.length > max ? `${safe.slice(0, max - 1)}…` : safe
}

function describe(r: StickyRunResult): string[] {
  const s = r.settings
  const lines = [
    `TCP over 127.0.0.1: ${r.sends.length} send() → ${r.recvs.length} recv(${s.recvSize}); reader delay ${s.readDelayMs} ms, gap ${s.gapMs} ms, Nagle ${s.nodelay ? 'off' : 'on'}, frame ${s.frame}`,
    `  sender    ${r.sends.map((x) => `[${shown(x.text)}]`).join(' ')}`,
    `  receiver  ${r.recvs.map((x) => `[${shown(x.text)}]`).join(' ')}`,
    `  ${r.merged} recv() held several sends (merged), ${r.split} send() arrived in pieces (split); ${r.totalBytes} bytes`,
  ]
  if (r.cancelled) lines.push(`  ${cancelledLine(r.cancelled, 'bytes read')}`)
  if (s.frame !== 'none') {
    const ok = r.messages.filter((m) => m.matches).length
    lines.push(`  framing (${s.frame}) recovered ${r.messages.length} messages, ${ok} exactly as sent: ${r.messages.map((m) => `[${shown(m.text)}]`).join(' ')}`)
  }
  if (r.udp) {
    lines.push(`UDP over 127.0.0.1: ${r.udp.datagrams.length} sendto() → ${r.udp.received} recvfrom(${s.recvSize}), one datagram each`)
    lines.push(`  receiver  ${r.udp.datagrams.map((d) => (d.receivedAt === null ? '(lost)' : `[${shown(d.text)}]${d.discarded ? `+${d.discarded} bytes lost` : ''}`)).join(' ')}`)
    // The kernel's figures before each recvfrom(), read while the receiver slept.
    const sampled = r.udp.datagrams.filter((d) => d.kernelBytes !== null && d.waitingDatagrams !== null)
    if (sampled.length > 0) {
      lines.push(`  in the kernel before each recvfrom(): ${sampled.map((d) => `${d.waitingDatagrams} datagram${d.waitingDatagrams === 1 ? '' : 's'} (${d.waitingBytes} B data, ${d.kernelBytes} B kernel memory)`).join(', ')}`)
    } else if (r.udp.slept === false) lines.push('  this Node cannot pause a UDP socket: every datagram left the kernel on arrival')
  }
  return lines
}

export const stickyCommand: Command = {
  name: 'sticky',
  summary: 'run the sticky-packet experiment (TCP merges and splits, UDP does not)',
  help: `lab sticky [MESSAGE...] [--gap MS] [--recv-size N] [--read-delay MS] [--nodelay]
           [--frame F] [--encoding utf8|gbk] [--udp] [--json]

Sends each MESSAGE with one send() over a real TCP connection on 127.0.0.1 to a reader
that sleeps --read-delay before each recv(--recv-size), then prints the sender's send()
boundaries against the reader's recv() chunks. Default messages: ${STICKY_DEFAULT_MESSAGES.join(' ')}.

  --gap MS         pause between sends (${rangeOf(STICKY.gapMs)}, default ${STICKY.gapMs.default})
  --recv-size N    the reader's recv(n) (${rangeOf(STICKY.recvSize)}, default ${STICKY.recvSize.default})
  --read-delay MS  the reader sleeps this long before each recv() (${rangeOf(STICKY.readDelayMs)}, default ${STICKY.readDelayMs.default}):
                   meanwhile the sends pile up in the kernel and merge
  --nodelay        turn Nagle's algorithm off on the sender
  --frame F        ${CLIENT_FRAMINGS.join(', ')} (default ${STICKY.frame.default}): the framing that puts the
                   message boundaries back
  --encoding E     ${TEXT_ENCODINGS.join(' or ')} (default ${STICKY.encoding.default})
  --udp            also send the same messages as UDP datagrams
  --json           the whole result as one JSON object (sends, recvs, messages, udp)`,
  options: {
    gap: { type: 'string' },
    'recv-size': { type: 'string' },
    'read-delay': { type: 'string' },
    nodelay: { type: 'boolean' },
    frame: { type: 'string' },
    encoding: { type: 'string' },
    udp: { type: 'boolean' },
    ...JSON_OPTION,
  },
  async run({ positionals, values, io }) {
    const input = {
      messages: positionals.length ? positionals : [...STICKY_DEFAULT_MESSAGES],
      gapMs: intOption(values.gap as string | undefined, 'gap', STICKY.gapMs),
      recvSize: intOption(values['recv-size'] as string | undefined, 'recv-size', STICKY.recvSize),
      readDelayMs: intOption(values['read-delay'] as string | undefined, 'read-delay', STICKY.readDelayMs),
      nodelay: values.nodelay === true ? true : undefined,
      frame: pick(values.frame, CLIENT_FRAMINGS, 'frame'),
      encoding: pick(values.encoding, TEXT_ENCODINGS, 'encoding'),
      udp: values.udp === true ? true : undefined,
    }
    const lab = new Lab({ workersDir: io.workersDir, door: 'cli', version: LAB_VERSION })
    try {
      const s = stickySettings(input)
      const plan = stickyPlan({ ...s, messages: s.messages.length }, stickyBytesEstimate(s.messages, s.encoding, s.frame))
      const r = await cancellable(io, lab, planMs(plan), values.json === true, (runId) => lab.invoke('net.sticky.run', { ...input, runId }))
      if (values.json === true) io.out(JSON.stringify({ ok: true, ...r }))
      else for (const line of describe(r)) io.out(line)
      return r.cancelled ? CANCELLED_EXIT : 0
    } finally {
      await lab.close()
    }
  },
}
