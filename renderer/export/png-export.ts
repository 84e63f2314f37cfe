/**
 * Charts as PNG files. The charts are inline SVG coloured by CSS variables and scoped styles, which a
 * bare serialisation would lose: the clone gets the live elements' computed styles written inline,
 * a background in the theme's surface colour, and is rasterised through an <img> (Blob URL, allowed by
 * the CSP's img-src blob:) onto a canvas at twice the pixel density or more. Failures become a notice.
 */
import { errorData } from '../../shared/errors'
import { useLabStore } from '../stores/lab'
import { downloadBlob } from './file-export'

/** The computed properties copied onto the clone (everything the charts' stylesheets set). */
const INLINED_PROPS = [
  'fill',
  'stroke',
  'stroke-width',
  'stroke-dasharray',
  'stroke-linecap',
  'stroke-linejoin',
  'opacity',
  'fill-opacity',
  'stroke-opacity',
  'paint-order',
  'font-family',
  'font-size',
  'font-weight',
  'font-style',
  'font-variant-numeric',
  'text-anchor',
  'dominant-baseline',
  'color',
  'visibility',
] as const

export interface PngExportOptions {
  /** Minimum pixel density (default 2; the screen's devicePixelRatio when higher). */
  scale?: number
  /** Background colour (default: the theme's --surface). */
  background?: string
  /** Blank margin around the drawing, in CSS pixels (default 8). */
  padding?: number
  /** A caption drawn above the chart (what it shows: the metric, the mode…), so the picture stands on its own. */
  title?: string
  /** Keys drawn under the chart (the charts' legends are HTML beside the SVG, so a plain export would lose them). */
  legend?: LegendItem[]
}

export interface LegendItem {
  label: string
  /** Swatch colours (CSS colours); a `line` swatch is a dashed vertical stroke, like a cut marker. */
  fill: string
  stroke: string
  line?: boolean
}

/** Where each legend key goes: left to right, wrapping at `maxWidth`. Widths include the swatch and the text. */
export function layoutLegend(widths: readonly number[], maxWidth: number, gap = 16, rowHeight = 18): { rows: number; height: number; at: { x: number; row: number }[] } {
  const at: { x: number; row: number }[] = []
  let x = 0
  let row = 0
  for (const w of widths) {
    if (x > 0 && x + w > maxWidth) {
      x = 0
      row++
    }
    at.push({ x, row })
    x += w + gap
  }
  const rows = widths.length ? row + 1 : 0
  return { rows, height: rows * rowHeight, at }
}

/** Reads an HTML legend (`<li><span class="swatch"></span>text</li>`) as swatch colours and labels. */
export function legendFrom(list: Element | null | undefined): LegendItem[] {
  if (!list) return []
  const items: LegendItem[] = []
  for (const li of Array.from(list.querySelectorAll('li'))) {
    const label = li.textContent?.trim() ?? ''
    const sw = li.firstElementChild
    if (!label || !sw) continue
    const cs = getComputedStyle(sw)
    // A marker drawn as a left border only (e.g. the dashed recv() cut), not a filled box.
    const line = cs.borderLeftStyle !== 'none' && cs.borderTopStyle === 'none'
    items.push({ label, fill: cs.backgroundColor, stroke: line ? cs.borderLeftColor : cs.borderTopStyle === 'none' ? 'none' : cs.borderTopColor, line })
  }
  return items
}

export interface Box {
  x: number
  y: number
  width: number
  height: number
}

/**
 * The area to export: the chart's own frame, grown to take in what is drawn past it (the charts use
 * overflow: visible for labels at their edges), plus a margin; rounded out to whole pixels.
 */
export function exportBox(frame: Box, drawn: Box | null, padding: number): Box {
  let x0 = frame.x
  let y0 = frame.y
  let x1 = frame.x + frame.width
  let y1 = frame.y + frame.height
  if (drawn && drawn.width > 0 && drawn.height > 0 && [drawn.x, drawn.y, drawn.width, drawn.height].every(Number.isFinite)) {
    x0 = Math.min(x0, drawn.x)
    y0 = Math.min(y0, drawn.y)
    x1 = Math.max(x1, drawn.x + drawn.width)
    y1 = Math.max(y1, drawn.y + drawn.height)
  }
  x0 = Math.floor(x0 - padding)
  y0 = Math.floor(y0 - padding)
  x1 = Math.ceil(x1 + padding)
  y1 = Math.ceil(y1 + padding)
  return { x: x0, y: y0, width: Math.max(1, x1 - x0), height: Math.max(1, y1 - y0) }
}

/** The declarations to write inline: only set values, and never a paint server reference (`url(#id)`), which the element's own attribute already carries. */
export function inlineDeclarations(get: (prop: string) => string, props: readonly string[] = INLINED_PROPS): [string, string][] {
  const out: [string, string][] = []
  for (const p of props) {
    const v = get(p).trim()
    if (!v || v.startsWith('url(')) continue
    out.push([p, v])
  }
  return out
}

const SVG_NS = 'http://www.w3.org/2000/svg'
const TITLE_HEIGHT = 22

/** Copies the computed styles of `live` and its descendants onto the same-shaped `clone`. */
function inlineStyles(live: Element, clone: Element): void {
  const cs = getComputedStyle(live)
  const style = (clone as SVGElement).style
  if (style) for (const [p, v] of inlineDeclarations((prop) => cs.getPropertyValue(prop))) style.setProperty(p, v)
  const a = live.children
  const b = clone.children
  for (let i = 0; i < a.length && i < b.length; i++) inlineStyles(a[i]!, b[i]!)
}

function frameOf(svg: SVGSVGElement): Box {
  const vb = svg.viewBox?.baseVal
  if (vb && vb.width > 0 && vb.height > 0) return { x: vb.x, y: vb.y, width: vb.width, height: vb.height }
  const r = svg.getBoundingClientRect()
  const w = r.width || svg.width.baseVal.value
  const h = r.height || svg.height.baseVal.value
  return { x: 0, y: 0, width: w, height: h }
}

/** The SVG as standalone markup, coloured as it is on screen. */
function svgMarkup(svg: SVGSVGElement, opts: PngExportOptions = {}): { markup: string; box: Box } {
  let drawn: Box | null = null
  try {
    const b = svg.getBBox()
    drawn = { x: b.x, y: b.y, width: b.width, height: b.height }
  } catch {
    drawn = null
  }
  const box = exportBox(frameOf(svg), drawn, opts.padding ?? 8)
  const title = opts.title?.trim()
  if (title) {
    box.y -= TITLE_HEIGHT
    box.height += TITLE_HEIGHT
  }
  const root = getComputedStyle(document.documentElement)
  const sans = root.getPropertyValue('--sans').trim() || 'sans-serif'
  const pad = opts.padding ?? 8
  const legend = opts.legend ?? []
  const measure = document.createElement('canvas').getContext('2d')
  if (measure) measure.font = `12px ${sans}`
  const widths = legend.map((k) => (k.line ? 6 : 20) + (measure ? Math.ceil(measure.measureText(k.label).width) : k.label.length * 7))
  const keys = layoutLegend(widths, box.width - 2 * pad)
  const legendTop = box.y + box.height
  if (keys.rows) box.height += keys.height + 6
  const clone = svg.cloneNode(true) as SVGSVGElement
  inlineStyles(svg, clone)
  clone.setAttribute('xmlns', SVG_NS)
  clone.setAttribute('width', String(box.width))
  clone.setAttribute('height', String(box.height))
  clone.setAttribute('viewBox', `${box.x} ${box.y} ${box.width} ${box.height}`)
  clone.removeAttribute('class')
  clone.style.setProperty('overflow', 'hidden')
  const background = opts.background ?? (root.getPropertyValue('--surface').trim() || '#ffffff')
  const bg = document.createElementNS(SVG_NS, 'rect')
  bg.setAttribute('x', String(box.x))
  bg.setAttribute('y', String(box.y))
  bg.setAttribute('width', String(box.width))
  bg.setAttribute('height', String(box.height))
  bg.setAttribute('fill', background)
  clone.insertBefore(bg, clone.firstChild)
  legend.forEach((k, i) => {
    const at = keys.at[i]!
    const x = box.x + pad + at.x
    const y = legendTop + at.row * 18
    const sw = document.createElementNS(SVG_NS, k.line ? 'line' : 'rect')
    if (k.line) {
      sw.setAttribute('x1', String(x + 1))
      sw.setAttribute('x2', String(x + 1))
      sw.setAttribute('y1', String(y + 2))
      sw.setAttribute('y2', String(y + 14))
      sw.style.setProperty('stroke-dasharray', '3 2')
      sw.style.setProperty('opacity', '0.6')
    } else {
      sw.setAttribute('x', String(x))
      sw.setAttribute('y', String(y + 3))
      sw.setAttribute('width', '14')
      sw.setAttribute('height', '10')
      sw.setAttribute('rx', '2')
    }
    sw.style.setProperty('fill', k.fill)
    sw.style.setProperty('stroke', k.stroke)
    sw.style.setProperty('stroke-width', '1.5')
    const text = document.createElementNS(SVG_NS, 'text')
    text.setAttribute('x', String(x + (k.line ? 6 : 20)))
    text.setAttribute('y', String(y + 12))
    text.style.setProperty('fill', root.getPropertyValue('--muted').trim() || '#555555')
    text.style.setProperty('font-family', sans)
    text.style.setProperty('font-size', '12px')
    text.textContent = k.label
    clone.append(sw, text)
  })
  if (title) {
    const caption = document.createElementNS(SVG_NS, 'text')
    caption.setAttribute('x', String(box.x + (opts.padding ?? 8)))
    caption.setAttribute('y', String(box.y + TITLE_HEIGHT - 4))
    caption.style.setProperty('fill', root.getPropertyValue('--text').trim() || '#000000')
    caption.style.setProperty('font-family', sans)
    caption.style.setProperty('font-size', '13px')
    caption.style.setProperty('font-weight', '600')
    caption.textContent = title
    bg.after(caption)
  }
  return { markup: new XMLSerializer().serializeToString(clone), box }
}

function loadImage(url: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image()
    img.onload = () => resolve(img)
    img.onerror = () => reject(new Error('the browser could not draw the chart as an image'))
    img.src = url
  })
}

/** Renders the SVG to PNG bytes (a Blob). Throws on failure; `exportSvgAsPng` is the caller-friendly door. */
async function svgToPngBlob(svg: SVGSVGElement, opts: PngExportOptions = {}): Promise<Blob> {
  const { markup, box } = svgMarkup(svg, opts)
  const scale = Math.max(opts.scale ?? 2, globalThis.devicePixelRatio || 1)
  const url = URL.createObjectURL(new Blob([markup], { type: 'image/svg+xml;charset=utf-8' }))
  try {
    const img = await loadImage(url)
    const canvas = document.createElement('canvas')
    canvas.width = Math.ceil(box.width * scale)
    canvas.height = Math.ceil(box.height * scale)
    const ctx = canvas.getContext('2d')
    if (!ctx) throw new Error('no 2D canvas is available')
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height)
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'))
    if (!blob) throw new Error('the canvas produced no PNG')
    return blob
  } finally {
    URL.revokeObjectURL(url)
  }
}

/** Saves the chart as `fileName` (a PNG). Never throws: a failure is shown as a notice. Resolves true when the download started. */
export async function exportSvgAsPng(svg: SVGSVGElement | null | undefined, fileName: string, opts: PngExportOptions = {}): Promise<boolean> {
  try {
    if (!svg) throw new Error('the chart is not on screen')
    const blob = await svgToPngBlob(svg, opts)
    downloadBlob(fileName.endsWith('.png') ? fileName : `${fileName}.png`, blob)
    return true
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e)
    useLabStore().notify(errorData('ERR_INTERNAL', `Could not save the chart as PNG: ${why}`))
    return false
  }
}
