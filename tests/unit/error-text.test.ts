/**
 * renderer/i18n/error-text.ts: a notice in the learner's language (issues 12 and 15). On a Chinese
 * screen the detail line is Chinese or absent — never the engine's English sentence, which is only
 * offered folded away (`errorOriginal`); a named limit says how to change it, or that it is fixed.
 */
import { describe, expect, it } from 'vitest'
import { errorData } from '../../shared/errors'
import { errorDetail, errorField, errorHeadline, errorHint, errorOriginal } from '../../renderer/i18n/error-text'
import { translate } from '../../renderer/i18n'
import { englishWords } from '../helpers/english-words'
import { createTestLab } from '../helpers/lab'

const busy = errorData('ERR_BAD_STATE', 'a run is already in progress; wait for it or stop it')
const port = errorData('ERR_PORT_IN_USE', '127.0.0.1:8081 is already in use', { where: '127.0.0.1:8081', port: 8081 }, 'port')
const noHost = errorData('ERR_ADDRESS_NOT_AVAILABLE', 'cannot listen on the address: the address is not on this machine', {})
const limit = (params: Record<string, string | number>, field?: string) =>
  errorData('ERR_LIMIT', 'whatever the engine said in English (LAB_THREAD_BUDGET): at most 128', { budget: 'LAB_THREAD_BUDGET', max: 128, used: 128, use: 'inUse', ...params }, field)

describe('notices in Chinese', () => {
  it('a non-limit error: headline and hint Chinese, no English detail line; the field is named after a Chinese label', () => {
    for (const e of [busy, port, noHost]) {
      const lines = [errorHeadline('zh', e), errorDetail('zh', e), errorHint('zh', e, false), translate('zh', 'errorText.field')]
      for (const line of lines) expect(englishWords(line), `${e.code}: ${line}`).toEqual([])
      expect(errorDetail('zh', e)).toBe('')
    }
    expect(errorField('zh', port)).toBe('port')
    expect(errorField('zh', busy)).toBe('')
    expect(errorField('en', port)).toBe('')
    // The engine's words are still there for a bug report, folded away.
    expect(errorOriginal('zh', busy)).toBe(busy.message)
    // …unless the Chinese headline already carries the engine's values.
    expect(errorOriginal('zh', port)).toBe('')
  })

  it('English keeps the engine\'s own message as the detail, and offers no folded copy', () => {
    expect(errorDetail('en', busy)).toBe(busy.message)
    expect(errorOriginal('en', busy)).toBe('')
  })

  it('a placeholder the engine sent no value for is not shown', () => {
    expect(errorHeadline('zh', noHost)).not.toMatch(/[{}]/)
    expect(errorHeadline('en', noHost)).not.toMatch(/[{}]/)
  })

  it('a named limit: no detail line in Chinese; the hint says what changes it, or that it is fixed', () => {
    expect(errorDetail('zh', limit({}))).toBe('')
    expect(errorHint('zh', limit({}), false)).toBe('这个上限是固定的：等正在进行的工作完成，或先停止、关闭一些。')
    expect(errorHint('en', limit({}), false)).toMatch(/^This limit is fixed/)
    expect(errorHint('zh', limit({ adjust: 'clients' }, 'clients'), true)).toBe('修改高亮的值后再试。')
    expect(errorHint('zh', limit({ adjust: 'idleTimeoutMs', option: 'idleTimeoutMs' }), false)).toBe('修改选项 idleTimeoutMs 后再试。')
  })
})

describe('a refused value, as the engine sends it (lab.ts: the issue, and `detail` its English sentence)', () => {
  it('on a Chinese screen the headline says the contract’s reason in Chinese, once; English keeps the engine’s words', async () => {
    const lab = createTestLab()
    const r = await lab.call('net.tcpClient.open', { host: 'not a host!', port: 1 })
    await lab.close()
    expect(r.ok).toBe(false)
    const e = (r as { error: Parameters<typeof errorHeadline>[1] }).error
    expect(e.params?.detail).toMatch(/IP address/)
    const zh = errorHeadline('zh', e)
    // Only the field's name (the contract's, shown as code) and the example host name are not Chinese.
    expect(englishWords(zh).filter((w) => w !== 'host' && w !== 'localhost'), zh).toEqual([])
    expect(zh).toMatch(/IP 地址/)
    expect(errorDetail('zh', e)).toBe('')
    expect(errorHeadline('en', e)).toMatch(/IP address/)
  })
})

describe('a hex payload the engine could not read (h3, issue 14)', () => {
  const badChar = errorData('ERR_INVALID_INPUT', 'payload is not hex: "z" at position 3; use the digits 0-9 and a-f, two per byte (e.g. "48 69")', { option: 'payload', position: 3 })
  const odd = errorData('ERR_INVALID_INPUT', 'payload is not hex: 3 digits is an odd number; each byte needs two digits (e.g. "0a", not "a")', { option: 'payload', digits: 3 })
  it('is said in the learner’s language with the engine’s figure, not as "Invalid input: …"', () => {
    expect(errorHeadline('zh', badChar)).toMatch(/^不是十六进制：第 3 个字符/)
    expect(errorHeadline('zh', odd)).toMatch(/^不是十六进制：3 位数字是奇数/)
    expect(errorHeadline('en', odd)).toMatch(/^Not hex: 3 digits is an odd number/)
    for (const e of [badChar, odd]) {
      expect(englishWords(errorHeadline('zh', e).replace(/"[^"]*"/g, ''))).toEqual([])
      // The headline says it all: no English detail repeating it, nothing folded away in Chinese.
      expect(errorDetail('en', e)).toBe('')
      expect(errorOriginal('zh', e)).toBe('')
    }
  })
})
