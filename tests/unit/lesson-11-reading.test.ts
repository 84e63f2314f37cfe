/**
 * Lesson 11 reads the learner's own UDP run: the datagrams that waited in the kernel while the
 * receiver slept, and one recvfrom() per datagram — and its prediction describes what the lab does.
 */
import { describe, expect, it } from 'vitest'
import { findLesson } from '../../renderer/lessons'

const lesson = findLesson('udp-datagrams')!

describe('lesson 11: UDP datagrams, from the run', () => {
  it('the prediction’s receiver sleeps as long as the try-it’s receiver does, before each recvfrom()', () => {
    const preset = lesson.tryIt[0]!.preset.settings as { readDelayMs: number; udp: boolean }
    expect(preset.udp).toBe(true)
    expect(lesson.prediction.question.en).toContain(`sleeps ${preset.readDelayMs} ms before each recvfrom`)
    expect(lesson.prediction.question.zh).toContain(`每次先睡 ${preset.readDelayMs} ms`)
  })

  it('names the learner’s figures: datagrams and bytes waiting, the kernel memory, the reads', () => {
    const lines = lesson.reading!({
      kind: 'net.sticky',
      summary: { sends: 3, recvs: 1, merged: 1, split: 0, recovered: 0, bytes: 16, datagrams: 3, readDelayMs: 200, udpWaiting: 3, udpWaitingBytes: 16, udpKernelBytes: 2304, udpTruncated: 0 },
      cpus: 2,
    })
    const en = lines.map((l) => l.en).join(' ')
    const zh = lines.map((l) => l.zh).join(' ')
    expect(en).toContain('slept 200 ms, and the OS showed 3 datagrams (16 bytes of data, 2304 bytes of kernel memory) waiting')
    expect(en).toContain('needed 3 recvfrom() calls, one datagram each')
    expect(zh).toContain('3 个数据报（共 16 字节数据，占用 2304 字节内核内存）')
    expect(en).not.toContain('truncated:')
  })

  it('says how many datagrams were truncated, and reads nothing kernel-side from a run without the figures', () => {
    const cut = lesson.reading!({ kind: 'net.sticky', summary: { sends: 3, recvs: 3, merged: 0, split: 0, datagrams: 3, udpTruncated: 2 }, cpus: 2 })
    expect(cut.map((l) => l.en).join(' ')).toContain('2 datagrams were larger than recvfrom(n)’s n and truncated')
    expect(cut.map((l) => l.en).join(' ')).not.toContain('kernel memory')
  })
})
