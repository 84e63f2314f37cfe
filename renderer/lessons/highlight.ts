/**
 * A small Python tokenizer for display: it splits source text into spans that the
 * component renders as text nodes (Vue escapes them; no v-html). Joining every token's
 * text gives back the source exactly.
 */
export type TokenKind = 'keyword' | 'builtin' | 'string' | 'comment' | 'number' | 'decorator' | 'plain'

export interface Token {
  kind: TokenKind
  text: string
}

const KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '),
)
const BUILTINS = new Set('print len range int str bytes self super isinstance min max open sorted list dict set tuple ConnectionError ConnectionResetError OSError Exception'.split(' '))

const PATTERNS: [TokenKind, RegExp][] = [
  ['comment', /#[^\n]*/y],
  // Triple-quoted first, then single-line strings with escapes; optional b/r/f prefixes.
  ['string', /[bBrRfFuU]{0,2}(?:"""[\s\S]*?(?:"""|$)|'''[\s\S]*?(?:'''|$)|"(?:\\.|[^"\\\n])*(?:"|(?=\n)|$)|'(?:\\.|[^'\\\n])*(?:'|(?=\n)|$))/y],
  ['number', /\b(?:0[xX][0-9a-fA-F_]+|\d[\d_]*(?:\.\d*)?(?:[eE][+-]?\d+)?)\b/y],
  ['decorator', /@[A-Za-z_][\w.]*/y],
  ['plain', /[A-Za-z_]\w*/y],
]

export function tokenize(source: string): Token[] {
  const tokens: Token[] = []
  const push = (kind: TokenKind, text: string) => {
    const last = tokens[tokens.length - 1]
    if (last && last.kind === kind && kind === 'plain') last.text += text
    else tokens.push({ kind, text })
  }
  let i = 0
  outer: while (i < source.length) {
    for (const [kind, re] of PATTERNS) {
      re.lastIndex = i
      const m = re.exec(source)
      if (m && m.index === i && m[0].length > 0) {
        let k = kind
        if (kind === 'plain') k = KEYWORDS.has(m[0]) ? 'keyword' : BUILTINS.has(m[0]) ? 'builtin' : 'plain'
        push(k, m[0])
        i += m[0].length
        continue outer
      }
    }
    push('plain', source[i]!)
    i++
  }
  return tokens
}
