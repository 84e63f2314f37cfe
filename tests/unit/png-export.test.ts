import { describe, expect, it } from 'vitest'
import { exportName } from '../../renderer/export/file-export'
import { exportBox, inlineDeclarations, layoutLegend } from '../../renderer/export/png-export'

describe('PNG export helpers', () => {
  it('names the file after the chart and the UTC second (the one export name), safe on every system', () => {
    const at = new Date('2026-11-26T19:30:42.123Z')
    expect(exportName('sticky-tcp', 'png', at, 'chart')).toBe('sticky-tcp-2026-11-26T19-30-42.png')
    expect(exportName('gantt parallel/1:2', 'png', at, 'chart')).toBe('gantt-parallel-1-2-2026-11-26T19-30-42.png')
    expect(exportName('///', 'png', at, 'chart')).toBe('chart-2026-11-26T19-30-42.png')
  })

  it('grows the frame to take in what is drawn past it (overflow: visible), with a margin, in whole pixels', () => {
    expect(exportBox({ x: 0, y: 0, width: 300, height: 100 }, { x: 2, y: 3, width: 200, height: 50 }, 8)).toEqual({ x: -8, y: -8, width: 316, height: 116 })
    expect(exportBox({ x: 0, y: 0, width: 300, height: 100 }, { x: -4.5, y: 0, width: 320.2, height: 101 }, 0)).toEqual({ x: -5, y: 0, width: 321, height: 101 })
    // An empty or broken bounding box leaves the frame alone.
    expect(exportBox({ x: 0, y: 0, width: 300, height: 100 }, { x: 0, y: 0, width: 0, height: 0 }, 0)).toEqual({ x: 0, y: 0, width: 300, height: 100 })
    expect(exportBox({ x: 0, y: 0, width: 300, height: 100 }, { x: NaN, y: 0, width: 10, height: 10 }, 0)).toEqual({ x: 0, y: 0, width: 300, height: 100 })
  })

  it('inlines the set computed values but never a paint-server reference', () => {
    const computed: Record<string, string> = { fill: 'rgb(27, 30, 36)', stroke: 'url("#v-0-io")', 'font-size': ' 12px ', opacity: '' }
    expect(inlineDeclarations((p) => computed[p] ?? '', ['fill', 'stroke', 'font-size', 'opacity', 'color'])).toEqual([
      ['fill', 'rgb(27, 30, 36)'],
      ['font-size', '12px'],
    ])
  })

  it('places keys left to right and wraps to a new row when the next one does not fit', () => {
    const l = layoutLegend([100, 100, 100, 50], 260, 16, 18)
    expect(l.at).toEqual([
      { x: 0, row: 0 },
      { x: 116, row: 0 },
      { x: 0, row: 1 },
      { x: 116, row: 1 },
    ])
    expect(l.rows).toBe(2)
    expect(l.height).toBe(36)
    // A key wider than the row still gets a row of its own; no keys, no height.
    expect(layoutLegend([400, 10], 260).at).toEqual([
      { x: 0, row: 0 },
      { x: 0, row: 1 },
    ])
    expect(layoutLegend([], 260)).toEqual({ rows: 0, height: 0, at: [] })
  })
})
