import { describe, expect, it } from 'vitest'
import { tokenize } from '../../renderer/lessons/highlight'
import { PYTHON_PROGRAMS } from '../../shared/python/programs'

describe('Python highlighting', () => {
  it('gives back every program’s text exactly when the tokens are joined', () => {
    for (const program of Object.values(PYTHON_PROGRAMS)) {
      expect(tokenize(program.source).map((t) => t.text).join(''), program.id).toBe(program.source)
    }
  })

  it('marks keywords, strings, comments, numbers and builtins', () => {
    const tokens = tokenize("def handle(self):  # loop\n    data = b'hi' + \"x\"\n    return 1024\n")
    const of = (kind: string) => tokens.filter((t) => t.kind === kind).map((t) => t.text)
    expect(of('keyword')).toEqual(['def', 'return'])
    expect(of('builtin')).toEqual(['self'])
    expect(of('comment')).toEqual(['# loop'])
    expect(of('string')).toEqual(["b'hi'", '"x"'])
    expect(of('number')).toEqual(['1024'])
  })

  it('keeps a string with a # and a triple-quoted docstring whole, and survives unterminated strings', () => {
    const tokens = tokenize('"""doc # not a comment\nstill doc"""\nx = \'#\'\ny = "open')
    expect(tokens.filter((t) => t.kind === 'comment')).toEqual([])
    expect(tokens.filter((t) => t.kind === 'string').map((t) => t.text)).toEqual(['"""doc # not a comment\nstill doc"""', "'#'", '"open'])
  })

  it('treats markup-looking text as plain text (it is rendered as text nodes, never HTML)', () => {
    const src = "print('<script>alert(1)</script>')"
    expect(tokenize(src).map((t) => t.text).join('')).toBe(src)
  })
})
