import { defineCatalog } from '../catalog'
/** Long runs (cancel, progress, estimates) and errors that name their field: issue #12. */
export default defineCatalog({
  en: {
    longRun: {
      cancel: 'Cancel',
      cancelling: 'Cancelling…',
      cancelHint: 'Stops the run; what finished is kept and shown',
      before: 'about {s} s',
      beforeLong: 'This run takes about {s} s (estimated from the settings).',
      left: 'about {s} s left',
      almost: 'finishing…',
      progress: '{done} of {total} {unit}',
      label: 'Run progress',
      unit: { roundTrips: 'round trips', bytes: 'bytes read', tasks: 'tasks' },
      cancelled: 'Cancelled after {t} s: {done} of {total} {unit} had finished. What is shown is the part that finished; run again for the rest.',
      cancelledTag: 'cancelled',
      nothing: 'Cancelled after {t} s, before any part had finished: nothing to show.',
    },
    fieldError: {
      plainHint: 'The message says which value is wrong and why; correct it and try again.',
      outOfRange: '{field}: {value} is outside {min}–{max}.',
      notWhole: '{field}: a whole number, please.',
      limit: '{what} has a limit of {max}',
    },
    errorText: {
      field: 'About the input',
      original: 'The engine’s own words (for a bug report)',
    },
  },
  zh: {
    longRun: {
      cancel: '取消',
      cancelling: '正在取消…',
      cancelHint: '停止运行；已完成的部分会保留并显示',
      before: '约 {s} 秒',
      beforeLong: '这次运行约需 {s} 秒（根据设置估算）。',
      left: '还剩约 {s} 秒',
      almost: '即将完成…',
      progress: '{done} / {total} {unit}',
      label: '运行进度',
      unit: { roundTrips: '次往返', bytes: '字节（已读取）', tasks: '个任务' },
      cancelled: '已在 {t} 秒后取消：共 {total} {unit}，已完成 {done}。下面显示的是已完成的部分；再运行一次可得到其余部分。',
      cancelledTag: '已取消',
      nothing: '已在 {t} 秒后取消，还没有任何部分完成：没有可显示的结果。',
    },
    fieldError: {
      plainHint: '消息中写明了哪个值有误以及原因；改正后再试。',
      outOfRange: '{field}：{value} 不在 {min}–{max} 范围内。',
      notWhole: '{field}：请填写整数。',
      limit: '{what} 的上限是 {max}',
    },
    errorText: {
      field: '涉及的输入项：',
      original: '引擎的原话（英文，报告问题时使用）',
    },
  },
})
