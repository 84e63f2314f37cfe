/** The Electron door (built to out/main/electron.js): a hardened window over the same engine. */
import { app, BrowserWindow, ipcMain, Menu, nativeTheme, protocol, session, shell } from 'electron'
import { builtPaths, LAB_VERSION } from '../paths'
import { startDesktop } from './desktop'

startDesktop(
  { app, BrowserWindow, ipcMain, Menu, nativeTheme, protocol, session, shell },
  { paths: builtPaths(import.meta.url), version: LAB_VERSION, env: process.env, platform: process.platform },
)
