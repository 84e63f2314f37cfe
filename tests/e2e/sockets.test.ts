/**
 * The socket table in the server panel, in Chromium, in both languages: a serial server the UI
 * started, two real clients from this test over loopback — one served, one waiting with unread
 * bytes in its kernel receive buffer — and TIME_WAIT on the side that closed first.
 */
import net from 'node:net'
import { describe, expect, it } from 'vitest'
import { hasChromium, openLab, pageProblems, screenshot, useBrowserSession } from '../helpers/browser'

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s))
    s.once('error', reject)
  })
}

describe.skipIf(!hasChromium)('socket table in Chromium (browser mode)', () => {
  const session = useBrowserSession()

  for (const lang of ['en', 'zh'] as const) {
    it(`shows the kernel's view of a serial server's sockets (${lang})`, async () => {
      const page = await openLab(session.browser, session.url, { lang, theme: lang === 'zh' ? 'dark' : 'light' })
      await page.getByTestId('server-port').fill('0')
      await page.getByTestId('server-mode-serial').check()
      await page.getByTestId('server-start').click()
      const addr = (await page.getByTestId('server-addr').textContent())!
      const port = Number(addr.match(/:(\d+)/)![1])
      const table = page.getByTestId('socket-table')
      // The listener, with its accept queue (0) and limit.
      await table.locator('[data-testid=socket-row][data-state=LISTEN]').waitFor()
      const first = await connect(port)
      const second = await connect(port)
      try {
        first.write('hi')
        second.write('still waiting') // 13 bytes the serial server does not read yet
        // The waiting client's server end: 13 bytes in the kernel's receive buffer, read from the kernel.
        await table.locator('[data-testid=socket-row]').filter({ has: page.locator('[data-testid=socket-recvq]', { hasText: /^13$/ }) }).waitFor()
        await page.getByTestId('where-lab').filter({ hasText: /13/ }).waitFor()
        // request_queue_size 5, as socketserver's: the kernel's limit; Node leaves nothing in the queue.
        await expect(page.getByTestId('where-kernel').textContent()).resolves.toMatch(lang === 'en' ? /Kernel accept queue: 0 of 5/ : /内核 accept 队列：0 \/ 5/)
        await table.scrollIntoViewIfNeeded()
        await screenshot(page, `network-sockets-${lang}${lang === 'zh' ? '-dark' : ''}`)
        // The first client closes first: its end of the connection goes to TIME_WAIT.
        first.end()
        await table.locator('[data-testid=socket-row][data-state=TIME_WAIT]').waitFor()
        await expect(table.locator('[data-testid=socket-row][data-state=TIME_WAIT]').first().textContent()).resolves.toMatch(lang === 'en' ? /client end.*no process \(closed\).*disappears in \d+ s/ : /客户端.*无进程（已关闭）.*秒后消失/)
        if (lang === 'en') await screenshot(page, 'network-sockets-time-wait-en')
        // Lesson 6 beside its prediction: the learner's own server as the kernel sees it now.
        await page.locator('[data-nav="lessons"]').click()
        await page.locator('[data-lesson="tcp-loops"]').click()
        await page.locator('[data-lesson-page="tcp-loops"]').waitFor()
        await page.locator('input[data-choice="wait"]').check()
        await page.getByTestId('predict-lock').click()
        const row = page.getByTestId('lesson-socket-row').first()
        await row.waitFor()
        await expect(row.textContent()).resolves.toMatch(lang === 'en' ? new RegExp(`127\\.0\\.0\\.1:${port} \\(Serial\\): kernel accept queue 0 of 5 .*1 in TIME_WAIT`) : new RegExp(`127\\.0\\.0\\.1:${port}（串行）：内核 accept 队列 0 / 5`))
        await page.getByTestId('lesson-socket-evidence').scrollIntoViewIfNeeded()
        await screenshot(page, `lessons-tcp-loops-sockets-${lang}${lang === 'zh' ? '-dark' : ''}`)
        await page.locator('[data-nav="network"]').click()
      } finally {
        first.destroy()
        second.destroy()
      }
      expect(pageProblems(page)).toEqual([])
      await page.getByTestId('server-stop').click()
      await page.getByTestId('server-empty').waitFor()
      await page.context().close()
    })

    it(`sticky packets: the bytes waiting in the kernel's receive buffer, one recv() taking them, TIME_WAIT after (${lang})`, async () => {
      const page = await openLab(session.browser, session.url, { lang })
      await page.getByTestId('net-tab-sticky').click()
      await page.getByTestId('sticky-read-delay').fill('200')
      await page.getByTestId('sticky-run').click()
      const first = page.getByTestId('sticky-kernel-first')
      await first.waitFor()
      await expect(first.textContent()).resolves.toMatch(lang === 'en' ? /slept 200 ms: 16 bytes waited in the kernel’s receive buffer\..*one recv\(1024\) took all 16/ : /睡了 200 毫秒：内核接收缓冲区里等着 16 个字节。.*一次 recv\(1024\) 就把这 16 个字节全部取走/)
      await expect(page.getByTestId('sticky-kernel-close').textContent()).resolves.toMatch(/TIME_WAIT/)
      await page.getByTestId('sticky-kernel').evaluate((el) => {
        const main = document.getElementById('main')!
        main.scrollTop += el.closest('section')!.getBoundingClientRect().top - main.getBoundingClientRect().top - 16
      })
      await screenshot(page, `network-sticky-kernel-${lang}`)
      // The UDP half with the same sleeping receiver: three datagrams wait in the kernel, each recvfrom() takes one.
      await page.getByTestId('sticky-run-udp').click()
      const udp = page.getByTestId('sticky-udp-kernel-first')
      await udp.waitFor({ timeout: 30_000 })
      await expect(udp.textContent()).resolves.toMatch(
        lang === 'en'
          ? /Before recvfrom\(\) #1, while the receiver slept 200 ms: 3 datagrams \(16 bytes of data\) waited in the kernel’s receive buffer, taking \d+ bytes of kernel memory\..*recvfrom\(1024\) took just one of them, 5 bytes; the other 2 stayed in the kernel/
          : /第 1 次 recvfrom\(\) 之前，接收方睡了 200 毫秒：内核接收缓冲区里等着 3 个数据报（共 16 字节数据），占用 \d+ 字节内核内存。.*只取走了其中一个，5 字节；其余 2 个仍留在内核里/,
      )
      await expect(page.getByTestId('sticky-udp-kernel-read').count()).resolves.toBe(3)
      await page.getByTestId('sticky-udp-kernel').evaluate((el) => {
        const main = document.getElementById('main')!
        main.scrollTop += el.getBoundingClientRect().top - main.getBoundingClientRect().top - 220
      })
      await screenshot(page, `network-sticky-udp-kernel-${lang}`)
      expect(pageProblems(page)).toEqual([])
      await page.context().close()
    })
  }
})
