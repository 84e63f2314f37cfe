/**
 * English words inside Chinese text: the "no English on a Chinese screen" check of unit and DOM
 * tests. Allowed: units, names of protocols, programs, modules and systems, and anything that reads
 * as code — a call `recv(` and its arguments, a dotted name (`os.fork`), a path or spec (`/proc/net/udp`,
 * `cpu:400ms*4`, `b''`), an assignment (`counter += 1`), a command-line flag (`-uan`) or `lab` command,
 * an identifier with `_` or digits (SO_REUSEADDR, python3), a constant or state in capitals (TCP, PID,
 * TIME_WAIT, LISTEN, RUN), an inner capital (OSError, macOS, ThreadingTCPServer), a single letter (K
 * clients, c = CPU).
 */
const ALLOWED = new Set(
  (
    'send recv recvfrom sendto sendall accept connect bind listen close ms s n p x I O KiB MiB GB MB Python python Node node js Linux Windows ' +
    'org socketserver Lock hello world sticky hi HI upper cpu io taskset lab Errno ' +
    // Node's thread API and the language a Worker starts an engine for (lessons 7 and 8).
    'Worker JavaScript ' +
    // listen()'s parameter, the name Python's documentation and the lab's backlog field give it.
    'backlog ' +
    // Modules, tools, files and a name the lessons use as they are spelled in code and man pages.
    'socket struct asyncio dgram procfs schedstat netem hidepid ss root Nagle ' +
    // Python keywords and constants named in the text (while True, try …).
    'True False None while try except'
  ).split(' '),
)

const looksLikeCode = (word: string, after: string) =>
  word.length === 1 ||
  after.startsWith('(') ||
  /[_\d]/.test(word) ||
  (word.length >= 2 && word === word.toUpperCase()) ||
  /^[a-z]+[A-Z]|^[A-Z]{2,}[a-z]|^[A-Z][a-z]+[A-Z]/.test(word)

/** The run of code-ish characters around text[start, end): a path, a spec, a dotted name. */
function tokenAround(text: string, start: number, end: number): string {
  const codeChar = /[A-Za-z0-9_./:=*'"!~+\-]/
  let a = start
  let b = end
  while (a > 0 && codeChar.test(text[a - 1]!)) a--
  while (b < text.length && codeChar.test(text[b]!)) b++
  return text.slice(a, b)
}

/** Arguments of a call or a tuple of names: `len(body)`, `sendto(data, address)`, `(data, socket)`. */
const ARGS = /\w\(\s*[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*\)|\(\s*[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)+\s*\)/g

/** The English words in `text` that are none of the allowed kinds. */
export function englishWords(text: string): string[] {
  const out: string[] = []
  // ss's column names (Recv-Q, Send-Q) are what the learner reads in the socket table and in `ss` itself.
  text = text.replace(/\b(?:Recv|Send)-Q\b/g, ' ').replace(ARGS, (m) => m.replace(/[A-Za-z_]/g, '0'))
  for (const m of text.matchAll(/[A-Za-z][A-Za-z0-9_]*/g)) {
    const word = m[0]
    const start = m.index!
    const end = start + word.length
    const after = text.slice(end, end + 2)
    const before = text.slice(Math.max(0, start - 4), start)
    const token = tokenAround(text, start, end)
    const code =
      /[/:=*'"~]|\.[A-Za-z_]/.test(token) ||
      // A flag (`ss -uan`), a lab command (`lab schedule`), an assignment (`counter += 1`, `tmp = counter;`).
      /(^|\s)-$/.test(before) ||
      /\blab $/.test(before) ||
      /=\s*$/.test(before) ||
      /^\s*(?:[+\-*/]?=\s|;)/.test(text.slice(end, end + 4))
    if (ALLOWED.has(word) || code || looksLikeCode(word, after)) continue
    out.push(word)
  }
  return out
}
