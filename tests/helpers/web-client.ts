import WebSocket from 'ws'

/** One answer of the browser door. */
export interface WebResult {
  ok: boolean
  value?: unknown
  error?: { code: string; message?: string }
}

/** A WebSocket client for `lab web`: the browser door, used to make one lab do several things. */
export async function webClient(lab: { waitFor(match: (l: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> }) {
  const line = await lab.waitFor((l) => l.event === 'web')
  const url = new URL(String(line.url))
  const ws = new WebSocket(`ws://${url.host}/ws${url.search}`, { headers: { Origin: `http://${url.host}` } })
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  let id = 0
  const pending = new Map<number, (r: WebResult) => void>()
  const events: { topic: string; payload: { event?: string } }[] = []
  ws.on('message', (d) => {
    const msg = JSON.parse(d.toString()) as { type: string; id: number; result: { ok: boolean }; events: typeof events }
    if (msg.type === 'result') pending.get(msg.id)?.(msg.result)
    if (msg.type === 'events') events.push(...msg.events)
  })
  ws.on('error', () => {})
  return {
    ws,
    events,
    call(method: string, input: unknown): Promise<WebResult> {
      const n = ++id
      return new Promise((resolve) => {
        pending.set(n, resolve)
        ws.send(JSON.stringify({ id: n, method, input }))
      })
    },
  }
}

