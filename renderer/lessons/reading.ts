import type { RunError, Text } from './types'
import { t } from './types'

/**
 * What every lesson's reading of a run needs: numbers taken safely out of a summary, times and
 * counts written the same way in every lesson, and what the errors a try-it can end in mean.
 */

/** A finite number from a summary, or null (a missing key, an older run, a string). */
export const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)

/** `1,234 ms`: the same digits in both languages. */
export const ms = (v: number): string => `${Math.round(v).toLocaleString('en-US')} ms`

/** A share of 1 as a whole percentage: `44 %`. */
export const pct = (share: number): string => `${Math.round(share * 100)} %`

const enPlural = new Intl.PluralRules('en')
/** `plural(1, 'call was', 'calls were')` → "call was": the English words for n, picked by Intl.PluralRules. */
export const plural = (n: number, one: string, other: string): string => (enPlural.select(n) === 'one' ? one : other)

/** `count(1, 'process', 'processes')` → "1 process". */
export const count = (n: number, one: string, other: string): string => `${n.toLocaleString('en-US')} ${plural(n, one, other)}`

/** The address an error names ("127.0.0.1:8081"), from its params or its message. */
function where(error: RunError): string {
  const w = error.params?.where
  if (typeof w === 'string' && w) return w
  const port = error.params?.port
  if (port !== undefined) return `127.0.0.1:${port}`
  return /\d+\.\d+\.\d+\.\d+:\d+|\[[^\]]+\]:\d+/.exec(error.message)?.[0] ?? ''
}

/**
 * A try-it's error read as its outcome: what it means for the lesson. Lessons add their own
 * line on top; an error not named here is shown with the catalogue's message and hint.
 */
export function errorMeaning(error: RunError): Text[] {
  switch (error.code) {
    case 'ERR_PORT_IN_USE': {
      const w = where(error) || '这个端口'
      const wEn = where(error) || 'that port'
      return [
        t(
          `端口被占用：另一个服务器已经绑定在 ${w} 上（可能是你刚才启动的那个，也可能是别的程序），操作系统拒绝了第二次绑定，Python 里就是 OSError（Errno 98）。allow_reuse_address（SO_REUSEADDR）说的就是这件事：在 Linux 和 macOS 上，它只让重启的服务器能马上绑定还处于 TIME_WAIT 的端口，两个服务器同时监听同一端口仍被拒绝；只有在 Windows 上，它会让第二个套接字也绑上去。`,
          `Port in use: another server is bound to ${wEn} (perhaps the one you just started, perhaps another program), so the OS refused a second bind — Python’s OSError: [Errno 98] Address already in use. That is what allow_reuse_address (SO_REUSEADDR) is about: on Linux and macOS it only lets a restarted server bind at once to a port still in TIME_WAIT, and two servers listening on one port at the same time are still refused; only on Windows does it let a second socket bind too.`,
        ),
        t(
          '证据：网络视图里服务器面板的套接字表，那里第一个服务器的套接字处于 LISTEN 状态。要让这个按钮成功，先停掉占着端口的服务器，或者换一个端口（填 0 让系统任选）。',
          'The evidence: the socket table in the Network view’s server panel, where the first server’s socket is in LISTEN. To make this button succeed, stop the server holding the port, or choose another one (0 lets the OS pick a free one).',
        ),
      ]
    }
    case 'ERR_PERMISSION_DENIED':
      return [t('权限不足：1024 以下的端口在多数系统上只有管理员能绑定，这是操作系统在分配资源时做的检查。', 'Permission denied: on most systems only an administrator may bind a port below 1024 — a check the OS makes when it hands out the resource.')]
    case 'ERR_UNSUPPORTED':
      if (/python/i.test(error.message)) {
        return [
          t(
            '这台机器上找不到 python3，所以实验室运行不了这个 Python 程序。安装 Python 3（python.org 有各个系统的安装包；Linux 上也可以用系统的包管理器），再试一次。',
            'This machine has no python3, so the lab cannot run this Python program. Install Python 3 (Linux: sudo apt install python3; macOS: brew install python; Windows: python.org or the Store) and try again.',
          ),
        ]
      }
      return []
    default:
      return []
  }
}
