import { NO_CONDITIONS, RELAY_DEFAULT_SEED, type RelayConditions, type RelayProto } from '../../shared/contract'

export interface RelayForm {
  proto: RelayProto
  listenPort: number
  targetHost: string
  targetPort: number | null
  seed: number
  up: RelayConditions
  down: RelayConditions
}

export function defaultRelayForm(): RelayForm {
  return { proto: 'tcp', listenPort: 0, targetHost: '127.0.0.1', targetPort: null, seed: RELAY_DEFAULT_SEED, up: { ...NO_CONDITIONS }, down: { ...NO_CONDITIONS } }
}
