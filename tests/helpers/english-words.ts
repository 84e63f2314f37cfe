/**
 * English words inside Chinese text: the "no English on a Chinese screen" check of unit and DOM
 * tests. Allowed: units, names of protocols, programs and systems, and anything that reads as
 * code — a call `recv(`, a dotted name (`os.fork`), an identifier with `_` or digits (SO_REUSEADDR, python3), a constant or
 * state in capitals (TCP, PID, TIME_WAIT, LISTEN, RUN), an inner capital (OSError, macOS, ThreadingTCPServer).
 */
const ALLOWED = new Set(
  (
    'send recv recvfrom sendto sendall accept connect bind listen close ms s n p x I O KiB MiB GB MB Python python Node js Linux Windows ' +
    'org socketserver Lock hello world sticky hi HI upper cpu io taskset lab Errno A B C D ' +
    // Node's thread API and the language a Worker starts an engine for (lessons 7 and 8).
    'Worker JavaScript ' +
    // listen()'s parameter, the name Python's documentation and the lab's backlog field give it.
    'backlog'
  ).split(' '),
)

const looksLikeCode = (word: string, after: string) =>
  after.startsWith('(') || /[_\d]/.test(word) || (word.length >= 2 && word === word.toUpperCase()) || /^[a-z]+[A-Z]|^[A-Z]{2,}[a-z]|^[A-Z][a-z]+[A-Z]/.test(word)

/** The English words in `text` that are none of the allowed kinds. */
export function englishWords(text: string): string[] {
  const out: string[] = []
  // ss's column names (Recv-Q, Send-Q) are what the learner reads in the socket table and in `ss` itself.
  text = text.replace(/\b(?:Recv|Send)-Q\b/g, ' ')
  for (const m of text.matchAll(/[A-Za-z][A-Za-z0-9_]*/g)) {
    const word = m[0]
    const after = text.slice(m.index! + word.length, m.index! + word.length + 2)
    const before = text.slice(Math.max(0, m.index! - 2), m.index!)
    // A dotted name is code: os.fork, self.request, self.server.socket.
    const dotted = /^\.[A-Za-z_]/.test(after) || /[A-Za-z_]\.$/.test(before)
    if (ALLOWED.has(word) || dotted || looksLikeCode(word, after)) continue
    out.push(word)
  }
  return out
}
