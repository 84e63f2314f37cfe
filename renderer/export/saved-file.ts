import { SAVED_EXPORT_FORMAT, SAVED_EXPORT_VERSION, savedExportFile, type SavedExportFile, type SavedMessage, type SavedMessageFields } from '../../shared/contract'
import { errorData, type LabErrorData } from '../../shared/errors'

/** The file an export writes: the contract's `savedExportFile` shape, so an import reads it back. */
export function exportFile(list: readonly SavedMessage[], at = Date.now()): SavedExportFile {
  return {
    format: SAVED_EXPORT_FORMAT,
    version: SAVED_EXPORT_VERSION,
    exportedAt: at,
    messages: list.map(({ id: _id, savedAt: _at, counter: _counter, ...fields }) => fields),
  }
}

/**
 * Reads an import file's text: JSON, then the contract's schema. The first problem comes back as
 * an ERR_INVALID_INPUT naming its path (e.g. `messages[2].port`), before anything is saved.
 */
export function readImport(text: string): { ok: true; messages: SavedMessageFields[] } | { ok: false; error: LabErrorData } {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    return { ok: false, error: errorData('ERR_INVALID_INPUT', `the file is not JSON: ${(err as Error).message}`, { detail: 'not JSON', path: '' }) }
  }
  const parsed = savedExportFile.parse(value)
  if (!parsed.ok) {
    const { path, message, code, params } = parsed.issue
    return { ok: false, error: errorData('ERR_INVALID_INPUT', `${path} ${message}`, { ...params, path, detail: `${path} ${message}`, reason: code }) }
  }
  if (parsed.value.messages.length === 0) return { ok: false, error: errorData('ERR_INVALID_INPUT', 'the file holds no messages', { detail: 'messages: []', path: 'messages' }) }
  return { ok: true, messages: parsed.value.messages }
}
