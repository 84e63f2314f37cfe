/**
 * The application menu (docs/SECURITY.md item 32): built from Electron roles, so copy, paste and
 * undo work in every text field (on macOS only a menu item gives them their shortcuts), in the
 * learner's language. Electron's default menu is replaced: it ships Force Reload and Toggle
 * Developer Tools to every user. The developer items are added only when not packaged.
 */
import type { MenuItemConstructorOptions } from 'electron'

export type MenuLanguage = 'zh' | 'en'

/** Every label the menu shows, in both languages (a unit test checks both are complete). */
export const MENU_LABELS = {
  zh: {
    app: '套接字与进程实验室',
    about: '关于套接字与进程实验室',
    hide: '隐藏',
    hideOthers: '隐藏其他',
    unhide: '全部显示',
    quit: '退出',
    file: '文件',
    close: '关闭窗口',
    edit: '编辑',
    undo: '撤销',
    redo: '重做',
    cut: '剪切',
    copy: '复制',
    paste: '粘贴',
    selectAll: '全选',
    view: '视图',
    resetZoom: '实际大小',
    zoomIn: '放大',
    zoomOut: '缩小',
    fullscreen: '全屏',
    reload: '重新加载（开发）',
    devTools: '开发者工具（开发）',
    window: '窗口',
    minimize: '最小化',
    zoom: '缩放',
  },
  en: {
    app: 'Socket & Process Lab',
    about: 'About Socket & Process Lab',
    hide: 'Hide',
    hideOthers: 'Hide Others',
    unhide: 'Show All',
    quit: 'Quit',
    file: 'File',
    close: 'Close Window',
    edit: 'Edit',
    undo: 'Undo',
    redo: 'Redo',
    cut: 'Cut',
    copy: 'Copy',
    paste: 'Paste',
    selectAll: 'Select All',
    view: 'View',
    resetZoom: 'Actual Size',
    zoomIn: 'Zoom In',
    zoomOut: 'Zoom Out',
    fullscreen: 'Toggle Full Screen',
    reload: 'Reload (development)',
    devTools: 'Developer Tools (development)',
    window: 'Window',
    minimize: 'Minimize',
    zoom: 'Zoom',
  },
} as const satisfies Record<MenuLanguage, Record<string, string>>

/** zh for any Chinese locale (zh, zh-CN, zh-Hans-…), English otherwise: the page's own rule. */
export function menuLanguage(locales: readonly string[]): MenuLanguage {
  return locales[0]?.toLowerCase().startsWith('zh') ? 'zh' : 'en'
}

export function menuTemplate(options: { language: MenuLanguage; platform: NodeJS.Platform; packaged: boolean }): MenuItemConstructorOptions[] {
  const l = MENU_LABELS[options.language]
  const mac = options.platform === 'darwin'
  const template: MenuItemConstructorOptions[] = []
  if (mac) {
    template.push({
      label: l.app,
      submenu: [
        { role: 'about', label: l.about },
        { type: 'separator' },
        { role: 'hide', label: l.hide },
        { role: 'hideOthers', label: l.hideOthers },
        { role: 'unhide', label: l.unhide },
        { type: 'separator' },
        { role: 'quit', label: l.quit },
      ],
    })
  }
  template.push({ label: l.file, submenu: [mac ? { role: 'close', label: l.close } : { role: 'quit', label: l.quit }] })
  template.push({
    label: l.edit,
    submenu: [
      { role: 'undo', label: l.undo },
      { role: 'redo', label: l.redo },
      { type: 'separator' },
      { role: 'cut', label: l.cut },
      { role: 'copy', label: l.copy },
      { role: 'paste', label: l.paste },
      { role: 'selectAll', label: l.selectAll },
    ],
  })
  const view: MenuItemConstructorOptions[] = [
    { role: 'resetZoom', label: l.resetZoom },
    { role: 'zoomIn', label: l.zoomIn },
    { role: 'zoomOut', label: l.zoomOut },
    { type: 'separator' },
    { role: 'togglefullscreen', label: l.fullscreen },
  ]
  if (!options.packaged) view.push({ type: 'separator' }, { role: 'reload', label: l.reload }, { role: 'toggleDevTools', label: l.devTools })
  template.push({ label: l.view, submenu: view })
  template.push({ label: l.window, submenu: [{ role: 'minimize', label: l.minimize }, ...(mac ? [{ role: 'zoom', label: l.zoom } as const] : [])] })
  return template
}
