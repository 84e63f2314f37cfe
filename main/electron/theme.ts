/**
 * The window's background follows the learner's saved theme, or — with none saved — the system's
 * (Electron's nativeTheme, which also drives the page's prefers-color-scheme), including a change
 * of the system theme while the lab runs. Electron is handed in (tests/unit/electron-desktop.test.ts fakes it).
 */
import type { NativeTheme } from 'electron'
import { THEME_BACKGROUND, isThemeName, type ThemeName } from '../../shared/theme'

export type NativeThemeLike = Pick<NativeTheme, 'shouldUseDarkColors' | 'on' | 'removeListener'>

/** The theme the window shows: the saved one, else the system's. */
export function windowTheme(saved: unknown, system: Pick<NativeTheme, 'shouldUseDarkColors'>): ThemeName {
  return isThemeName(saved) ? saved : system.shouldUseDarkColors ? 'dark' : 'light'
}

/**
 * Sets the window's background now and again on every system theme change while no theme is
 * saved (`saved()` is asked each time: the learner may have chosen one since). Returns the unsubscribe.
 */
export function followSystemTheme(
  nativeTheme: NativeThemeLike,
  win: { setBackgroundColor(color: string): void; isDestroyed(): boolean },
  saved: () => Promise<unknown>,
): () => void {
  const paint = () =>
    void saved().then(
      (theme) => {
        if (!win.isDestroyed()) win.setBackgroundColor(THEME_BACKGROUND[windowTheme(theme, nativeTheme)])
      },
      () => {},
    )
  paint()
  const onUpdated = () => paint()
  nativeTheme.on('updated', onUpdated)
  return () => void nativeTheme.removeListener('updated', onUpdated)
}
