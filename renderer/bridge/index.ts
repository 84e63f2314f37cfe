import type { PreloadApi } from '../../shared/transport'
import type { LabClient } from './lab-client'
import { PreloadClient } from './preload-client'
import { WsClient } from './ws-client'

export type { LabClient, ConnectionState } from './lab-client'

const TOKEN_KEY = 'lab.token'

/**
 * Picks the door at start-up: Electron's preload bridge when present, else browser mode's
 * WebSocket, authenticated with the token from the address the lab printed.
 */
export function createLabClient(): LabClient {
  const api = (window as unknown as { lab?: PreloadApi }).lab
  if (api) return new PreloadClient(api)
  const params = new URLSearchParams(location.search)
  const token = params.get('token') ?? sessionStorage.getItem(TOKEN_KEY) ?? ''
  sessionStorage.setItem(TOKEN_KEY, token)
  if (params.has('token')) {
    // Keep the token out of the address bar (and out of screenshots).
    params.delete('token')
    history.replaceState(null, '', `${location.pathname}${params.size ? `?${params}` : ''}${location.hash}`)
  }
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
  return new WsClient(`${scheme}://${location.host}/ws?token=${encodeURIComponent(token)}`)
}
