import { describe, expect, it } from 'vitest'
import { catalogs, leafKeys, translate } from '../../renderer/i18n'
import { LESSONS, findLesson } from '../../renderer/lessons'
import { idealParallelMs } from '../../renderer/lessons/03-serial-concurrent-parallel'
import type { RunFacts } from '../../renderer/lessons/types'
import { formatMeasure, measureLabel, runTitle } from '../../renderer/format/history-format'
import { PYTHON_PROGRAMS } from '../../shared/python/programs'
import { idealWallMs, parseTaskSpec } from '../../shared/task-spec'
import { englishWords } from '../helpers/english-words'

const lesson = (id: string) => findLesson(id)!
const allText = (id: string, lang: 'zh' | 'en') => JSON.stringify(lesson(id), (_k, v: unknown) => (v && typeof v === 'object' && 'zh' in v && 'en' in v ? (v as Record<string, string>)[lang] : v))

/** A spread of runs each reading is tried on: the expected outcome and the surprising one. */
const SAMPLE_RUNS: RunFacts[] = [
  { kind: 'proc.compare', summary: { serialMs: 1620, concurrentMs: 1650, parallelMs: 900, speedupParallel: 1.8, pinned: true }, cpus: 2 },
  { kind: 'proc.compare', summary: { serialMs: 1620, concurrentMs: 900, parallelMs: 420, pinned: false }, cpus: 8 },
  { kind: 'proc.counter', summary: { kind: 'threads', n: 4, increments: 100000, atomic: false, expected: 400000, final: 312000, lost: 88000 }, cpus: 2 },
  { kind: 'proc.counter', summary: { kind: 'threads', n: 4, increments: 100000, atomic: false, expected: 400000, final: 400000, lost: 0 }, cpus: 2 },
  { kind: 'proc.counter', summary: { kind: 'threads', n: 4, increments: 100000, atomic: true, expected: 400000, final: 400000, lost: 0 }, cpus: 2 },
  { kind: 'proc.counter', summary: { kind: 'processes', n: 4, increments: 100000, atomic: false, expected: 400000, final: 0, lost: 400000 }, cpus: 2 },
  { kind: 'net.sticky', summary: { sends: 3, recvs: 1, merged: 1, split: 0, recovered: 0, bytes: 16, datagrams: null }, cpus: 2 },
  { kind: 'net.sticky', summary: { sends: 3, recvs: 3, merged: 0, split: 0, recovered: 3, bytes: 28, datagrams: 3 }, cpus: 2 },
]

describe('lesson facts the engine computes', () => {
  it('lesson 3: the best parallel time is the engine’s idealWallMs, not 1 / cores when cores outnumber tasks', () => {
    const tasks = (parseTaskSpec('cpu:400ms*4') as { ok: true; tasks: Parameters<typeof idealWallMs>[0] }).tasks
    for (const cpus of [1, 2, 3, 4, 8, 16]) expect(idealParallelMs(cpus), `${cpus} CPUs`).toBe(idealWallMs(tasks, cpus).parallel)
    expect(idealParallelMs(8)).toBe(400)
    expect(idealParallelMs(2)).toBe(800)
    const read = (cpus: number) => lesson('serial-concurrent-parallel').reading!({ ...SAMPLE_RUNS[0]!, cpus }).map((x) => x.en).join(' ')
    expect(read(8)).toContain('at best take 400 ms')
    expect(read(2)).toContain('at best take 800 ms')
    // The lesson's own text names the 8-core case with the engine's number.
    expect(allText('serial-concurrent-parallel', 'en')).toContain(`at least ${idealParallelMs(8)} ms, not 1600 ÷ 8 = 200 ms`)
  })

  it('lesson 3: says when the concurrent run could not be pinned', () => {
    const lines = lesson('serial-concurrent-parallel').reading!(SAMPLE_RUNS[1]!)
    expect(lines.some((l) => l.en.includes('would not pin'))).toBe(true)
  })

  it('lesson 9: sticky_server.py sleeps as long as the lesson’s slow reader waits', () => {
    const sleep = Number(/time\.sleep\(([\d.]+)\)/.exec(PYTHON_PROGRAMS.sticky_server.source)![1]) * 1000
    const slow = lesson('sticky-packets').tryIt[0]!.preset.settings as { readDelayMs: number }
    expect(sleep).toBe(slow.readDelayMs)
    expect(lesson('sticky-packets').prediction.question.en).toContain(`${sleep} ms`)
  })

  it('lesson 9: no preset turns on TCP_NODELAY and a gap between sends at once (one knob at a time)', () => {
    for (const tryIt of lesson('sticky-packets').tryIt) {
      const s = tryIt.preset.settings as { nodelay?: boolean; gapMs?: number }
      expect(Boolean(s.nodelay && (s.gapMs ?? 0) > 0), tryIt.label.en).toBe(false)
    }
    expect(allText('sticky-packets', 'en')).toContain('TCP_NODELAY does not cure sticky packets')
  })

  it('lesson 10: the code checks the length from the header before recv(n), and reads the header with recv_exactly', () => {
    const code = lesson('framing').body.find((b) => b.kind === 'code')
    expect(code?.kind).toBe('code')
    const src = code!.kind === 'code' ? code!.code : ''
    expect(src.indexOf('if length < 0 or length > MAX_BODY')).toBeGreaterThan(-1)
    expect(src.indexOf('if length < 0 or length > MAX_BODY')).toBeLessThan(src.indexOf('recv_exactly(conn, length)'))
    expect(src).toContain('recv_exactly(conn, 4)')
    for (const id of ['framed_server', 'framed_client'] as const) expect(PYTHON_PROGRAMS[id].source, id).toMatch(/length < 0 or length > MAX_BODY/)
  })

  it('lesson 6 and the Python servers: the try wraps the whole communication loop, sendall included', () => {
    for (const id of ['tcp_server_loops', 'tcp_server_serial', 'tcp_server_threading', 'tcp_server_forking'] as const) {
      const src = PYTHON_PROGRAMS[id].source
      const tryAt = src.indexOf('try:')
      expect(tryAt, id).toBeGreaterThan(-1)
      expect(tryAt, id).toBeLessThan(src.indexOf('# communication loop'))
      expect(src.indexOf('except ConnectionError'), id).toBeGreaterThan(src.lastIndexOf('sendall('))
    }
  })

  it('lesson 11: 65,507 bytes is Linux’s limit; macOS’s is lower; ~1,472 fragments; truncation is the lab’s', () => {
    const en = allText('udp-datagrams', 'en')
    expect(en).toContain('65,507')
    expect(en).toContain('Linux’s limit')
    expect(en).toContain('9,216')
    expect(en).toContain('1,472')
    expect(en).toContain('done by the lab itself')
    expect(65_535 - 20 - 8).toBe(65_507)
    expect(1_500 - 20 - 8).toBe(1_472)
  })

  it('lesson 5 runs the Python race and names the GIL’s effect on counter += 1', () => {
    expect(lesson('threads-processes').python).toContain('thread_race')
    expect(PYTHON_PROGRAMS.thread_race.source).toContain('tmp = counter')
    expect(PYTHON_PROGRAMS.thread_race.source).toContain('with lock:')
    expect(allText('threads-processes', 'en')).toContain('loses no updates in practice')
  })

  it('lesson 7 points out the course note’s slip and shows the class hierarchy', () => {
    const en = allText('socketserver', 'en')
    expect(allText('socketserver', 'zh')).toContain('self.server 即套接字对象')
    expect(en).toContain('That is a slip')
    expect(en).toMatch(/BaseServer[\s\S]*TCPServer[\s\S]*UDPServer[\s\S]*ThreadingMixIn[\s\S]*StreamRequestHandler/)
  })
})

describe('Chinese terms and result cards', () => {
  it('says 多道技术 everywhere, glosses 链接循环 once, and names 拆包/半包, 伪并行, 剥夺', () => {
    const everything = [LESSONS.map((l) => allText(l.id, 'zh')).join(''), ...catalogs.map((c) => JSON.stringify(c.zh))].join('')
    expect(everything).not.toContain('多道程序')
    expect(everything.split('链接循环（即连接循环').length - 1).toBe(1)
    for (const term of ['拆包', '半包', '伪并行', '剥夺']) expect(everything, term).toContain(term)
  })

  it('uses one phrase for the read delay', () => {
    const zh = catalogs.map((c) => JSON.stringify(c.zh)).join('')
    expect(zh).not.toMatch(/读取间隔|读取前等待/)
    expect(zh).toContain('读取延迟')
  })

  it('readings of the learner’s run: both languages, no English inside the Chinese', () => {
    let said = 0
    for (const l of LESSONS) {
      if (!l.reading) continue
      for (const run of SAMPLE_RUNS) {
        for (const line of l.reading(run)) {
          said++
          expect(line.en.trim(), l.id).not.toBe('')
          expect(englishWords(line.zh), `${l.id}: ${line.zh}`).toEqual([])
          expect(/[\u4e00-\u9fff]/.test(line.en), `${l.id}: ${line.en}`).toBe(false)
        }
      }
    }
    expect(said).toBeGreaterThan(10)
  })

  it('result cards and History in Chinese: measure names, values and run titles are translated; shares are percentages', () => {
    const t = (k: string) => translate('zh', k)
    for (const [key, value] of [['mode', 'parallel'], ['kind', 'threads'], ['kind', 'processes'], ['mode', 'serial'], ['mode', 'concurrent']] as const) {
      expect(englishWords(`${measureLabel(key, t)} ${formatMeasure(value, 'zh', key, t)}`), `${key} ${value}`).toEqual([])
    }
    expect(formatMeasure(0.44, 'zh', 'utilisation', t)).toBe('44 %')
    expect(formatMeasure(0.5, 'en', 'cpuUtilization')).toBe('50 %')
    expect(formatMeasure(3, 'zh', 'recvs', t)).toBe('3')
    for (const title of ['threads × 4 atomic', 'processes × 4', '1:0,4:100 · switch on io', 'parallel · cpu:400ms*4', '5:100 · switch on end', '3 × send → 1 × recv (none)', '3 × send → 3 × recv (len32be, UDP)', '4 × 5 · delay:50 · serial/threading/forking/async', '2 × 2 · echo · async', '32 × 20 · reverse · threading · cancelled (1/2)']) {
      expect(englishWords(runTitle(title, 'zh', t).replace(/cpu:\S+/, '')), title).toEqual([])
    }
    expect(runTitle('1:0,4:100 · switch on io', 'en', (k) => translate('en', k))).toBe('1:0,4:100 · switch on I/O')
    expect(runTitle('3 × send → 1 × recv (none, UDP)', 'zh', t)).toBe('3 × send → 1 × recv（不分帧，UDP）')
    expect(runTitle('4 × 5 · delay:50 · serial/threading', 'zh', t)).toBe('4 × 5 · 每条延迟 50 ms · 串行/多线程')
    expect(runTitle('3 × send → 1 × recv (line)', 'en', (k) => translate('en', k))).toBe('3 × send → 1 × recv (one message per line)')
    for (const key of leafKeys((catalogs.find((c) => 'history' in c.zh)!.zh as { history: never }).history as never)) {
      if (key.startsWith('measures.') || key.startsWith('values.') || key.startsWith('modes.')) expect(englishWords(translate('zh', `history.${key}`)), key).toEqual([])
    }
  })

  it('plurals go through Intl.PluralRules, and Chinese labels end with a full-width colon', () => {
    expect(translate('en', 'history.count', { n: 1 })).toBe('1 run')
    expect(translate('en', 'history.count', { n: 0 })).toBe('0 runs')
    expect(translate('en', 'status.servers', { n: 1 })).toMatch(/^1 server running$/)
    expect(translate('en', 'status.servers', { n: 0 })).toBe('0 servers running')
    expect(translate('en', 'net.client.bytes', { n: 1 })).toBe('1 byte')
    expect(translate('zh', 'history.count', { n: 1 })).toBe('1 次运行')
    expect(translate('zh', 'learning.predict.why')).toBe('为什么：')
    expect(translate('zh', 'history.labelled', { label: '模式', value: '并行' })).toBe('模式：并行')
    for (const catalog of catalogs) {
      for (const key of leafKeys(catalog.en)) expect(translate('en', key), key).not.toMatch(/\(s\)|\(es\)/)
    }
  })
})

describe('practice problems for the simulator', () => {
  it('are the same for the same seed, valid process-run programs, and vary with the seed', async () => {
    const { simProblem } = await import('../../shared/practice')
    const { SIM_PROGRAM_PATTERN } = await import('../../shared/contract/os')
    expect(simProblem(42)).toEqual(simProblem(42))
    const seen = new Set<string>()
    for (let seed = 0; seed < 200; seed++) {
      const p = simProblem(seed)
      expect(p.program, `seed ${seed}`).toMatch(SIM_PROGRAM_PATTERN)
      expect(p.program).toContain('i')
      expect(p.askTick).toBeGreaterThanOrEqual(2)
      seen.add(`${p.program}/${p.switchOn}/${p.ioLength}`)
    }
    expect(seen.size).toBeGreaterThan(50)
  })
})

describe('per-tick practice', () => {
  it('offers enough tick rows for every problem’s real schedule, and marks each cell against the trace', async () => {
    const { simProblem, tickBound, markTicks } = await import('../../shared/practice')
    const { simulate } = await import('../../main/lab/proc/simulator')
    let tight = 0
    for (let seed = 0; seed < 300; seed++) {
      const p = simProblem(seed)
      const r = simulate({ program: p.program, switchOn: p.switchOn, ioLength: p.ioLength, ioDone: 'later' })
      expect(tickBound(p), `seed ${seed}: ${p.program}`).toBeGreaterThanOrEqual(r.totalTime)
      if (tickBound(p) === r.totalTime) tight++
      // The trace answered as it is: every cell right; one cell changed: exactly that one wrong.
      const answers = r.trace.map((row) => [...row.states])
      expect(markTicks(answers, r.trace).flat().every(Boolean)).toBe(true)
      answers[0]![0] = answers[0]![0] === 'READY' ? 'DONE' : 'READY'
      const marks = markTicks(answers, r.trace)
      expect(marks.flat().filter((m) => !m).length).toBe(1)
      expect(marks[0]![0]).toBe(false)
    }
    // The bound is reached (switch on end serialises everything), so it is not loose by a constant.
    expect(tight).toBeGreaterThan(0)
  })
  it('an unanswered cell is wrong, and rows past the trace are not asked', async () => {
    const { markTicks } = await import('../../shared/practice')
    const trace = [{ tick: 1, states: ['RUN:cpu', 'READY'] }, { tick: 2, states: ['DONE', 'RUN:cpu'] }]
    expect(markTicks([['RUN:cpu', ''], ['DONE', 'RUN:cpu'], ['DONE', 'DONE']], trace)).toEqual([[true, false], [true, true]])
  })
})
