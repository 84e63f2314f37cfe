/**
 * Budgets for the whole lab, not per server (issue 12): however many servers a learner starts, the
 * lab never runs more connection threads or connection processes than these, and all framed
 * connections together never hold more than `LAB_BUFFER_BYTES` of buffered bytes. Over a budget the
 * connection is refused or closed with ERR_LIMIT and a hint naming the budget. One budget object per
 * engine process (module state), like the process-tree roles.
 */
import { LAB_BUFFER_BYTES, LAB_CHILD_BUDGET, LAB_THREAD_BUDGET } from '../../../shared/budgets'
import { limitError, type LabError } from '../errors'
import { SharedBudget } from './shared-budget'

export { SharedBudget }

export { LAB_BUFFER_BYTES, LAB_CHILD_BUDGET, LAB_THREAD_BUDGET }

export const threadBudget = new SharedBudget(LAB_THREAD_BUDGET)
export const childBudget = new SharedBudget(LAB_CHILD_BUDGET)
export const bufferBudget = new SharedBudget(LAB_BUFFER_BYTES)

/** For tests: lower a budget to reach it cheaply; returns the function that restores it. */
export function withBudgetLimit(budget: SharedBudget, limit: number): () => void {
  const was = budget.limit
  budget.limit = limit
  return () => (budget.limit = was)
}

export function budgetError(what: 'threads' | 'processes', limit: number): LabError {
  const budget = what === 'threads' ? threadBudget : childBudget
  return limitError(
    what === 'threads' ? 'LAB_THREAD_BUDGET' : 'LAB_CHILD_BUDGET',
    budget.used,
    'connection refused. Close connections, stop a server, or lower idleTimeoutMs so silent clients free their slots',
    { max: limit, params: { option: 'idleTimeoutMs' } },
  )
}

export function bufferError(limit: number): LabError {
  return limitError('LAB_BUFFER_BYTES', bufferBudget.used, 'this connection would go over, so it was closed', { max: limit })
}
