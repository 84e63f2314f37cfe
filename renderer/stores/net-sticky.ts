import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { planMs, stickyBytesEstimate, stickyPlan } from '../../shared/run-estimate'
import { useLongRun } from '../composables/use-long-run'
import { HISTORY_MAX_RESULT_BYTES, type StickyRunResult } from '../../shared/contract'
import { compactSticky } from '../history/compact-runs'
import { wholeNumber } from '../forms/whole-number'
import { defaultStickyForm, type StickyForm } from '../forms/sticky-form'
import type { ExperimentSettings } from '../experiments'
import { useHistoryStore } from './history'
import { useLabStore } from './lab'

/** The sticky-packet experiment (粘包): its settings, the last run, and saving it to the history. */
export const useNetStickyStore = defineStore('netSticky', () => {
  const lab = useLabStore()
  const form = ref<StickyForm>(defaultStickyForm())
  const result = shallowRef<StickyRunResult | null>(null)
  const running = ref(false)
  /** Cancel, estimate and progress of the run (shared/contract/runs.ts). */
  const long = useLongRun()
  const estimateMs = computed(() => {
    const f = form.value
    const messages = f.messages.filter((m) => m.length > 0)
    const d = defaultStickyForm()
    const settings = { gapMs: wholeNumber(f.gapMs, d.gapMs), recvSize: wholeNumber(f.recvSize, d.recvSize), readDelayMs: wholeNumber(f.readDelayMs, 0), udp: false, messages: messages.length }
    return planMs(stickyPlan(settings, stickyBytesEstimate(messages, f.encoding, f.frame)))
  })

  function applyPreset(p: ExperimentSettings['network/sticky']) {
    const f = { ...defaultStickyForm() }
    if (p.messages?.length) f.messages = [...p.messages]
    if (p.gapMs !== undefined) f.gapMs = p.gapMs
    if (p.recvSize !== undefined) f.recvSize = p.recvSize
    if (p.readDelayMs !== undefined) f.readDelayMs = p.readDelayMs
    if (p.nodelay !== undefined) f.nodelay = p.nodelay
    if (p.frame !== undefined) f.frame = p.frame
    form.value = f
  }

  async function run(udp: boolean): Promise<StickyRunResult | null> {
    if (running.value) return null
    running.value = true
    const id = long.begin()
    let marker: StickyRunResult['cancelled']
    try {
      const f = form.value
      const settings = {
        messages: f.messages.filter((m) => m.length > 0),
        gapMs: wholeNumber(f.gapMs, 0),
        recvSize: wholeNumber(f.recvSize, defaultStickyForm().recvSize),
        readDelayMs: wholeNumber(f.readDelayMs, 0),
        nodelay: f.nodelay,
        frame: f.frame,
        encoding: f.encoding,
        udp,
      }
      const r = await lab.attempt('net.sticky.run', { ...settings, runId: id })
      if (!r) return null
      marker = r.cancelled
      // A cancel before the reader read anything leaves nothing to show or keep.
      if (r.cancelled && r.recvs.length === 0) return r
      result.value = r
      const framed = r.messages.length
      void useHistoryStore().record(
        'net.sticky',
        `${r.sends.length} × send → ${r.recvs.length} × recv (${settings.frame}${udp ? ', UDP' : ''})${r.cancelled ? ' · cancelled' : ''}`,
        { messages: settings.messages, gapMs: settings.gapMs, recvSize: settings.recvSize, readDelayMs: settings.readDelayMs, nodelay: f.nodelay, frame: f.frame, udp },
        {
          sends: r.sends.length,
          recvs: r.recvs.length,
          merged: r.merged,
          split: r.split,
          recovered: framed,
          bytes: r.totalBytes,
          datagrams: r.udp ? r.udp.received : null,
          // The kernel's evidence: bytes waiting before the first recv() (null when not read), what that recv() took, the closer's state.
          kernelBytes: r.recvs[0]?.kernelBytes ?? null,
          firstRecvBytes: r.recvs[0]?.bytes ?? null,
          closedFirstState: r.close?.senderState ?? null,
          // The UDP half's kernel evidence before its first recvfrom(): datagrams waiting, their data, the kernel memory they took.
          readDelayMs: settings.readDelayMs,
          udpWaiting: r.udp?.datagrams[0]?.waitingDatagrams ?? null,
          udpWaitingBytes: r.udp?.datagrams[0]?.waitingBytes ?? null,
          udpKernelBytes: r.udp?.datagrams[0]?.kernelBytes ?? null,
          udpTruncated: r.udp ? r.udp.datagrams.filter((d) => d.discarded > 0).length : null,
          ...(r.cancelled ? { cancelled: true } : {}),
        },
        compactSticky(r, HISTORY_MAX_RESULT_BYTES - 8_192),
      )
      return r
    } finally {
      long.end(marker)
      running.value = false
    }
  }

  return { form, result, running, runProgress: long.progress, cancelling: long.cancelling, cancelled: long.cancelled, estimateMs, applyPreset, run, cancel: long.cancel }
})
