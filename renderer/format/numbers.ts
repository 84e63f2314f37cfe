/** Numbers as the tables and charts print them, in the learner's language's digits grouping. */

/** A number for a table cell: 1234.5 → "1,235", 12.34 → "12.3", 0.123 → "0.12". */
export function fmt(n: number, lang: 'en' | 'zh' = 'en'): string {
  const digits = Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : 2
  return n.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })
}
