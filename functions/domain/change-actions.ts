/**
 * Every update-cluster change action in one table, keyed by the schema's ChangeAction: which
 * Task state of statemachines/update-cluster.asl.json carries it out and what it is about. The
 * table must name every action (the compiler checks it), and test/asl/change-routing.test.ts
 * checks that the ASL routes each action to its state, so a new action cannot be half wired.
 */
import type { ChangeAction, ClusterChange } from '../generated/types';
import { InvalidStepInputError } from '../shared/errors';

/** The update-cluster Task states, one per kind of thing a change touches. */
export type ChangeState = 'Change Nodegroup' | 'Change Self-managed Nodegroup' | 'Change Fargate Profile' | 'Change Access' | 'Change Endpoint Access' | 'Change Settings' | 'Change Addon' | 'Change Pod Identity';

interface ChangeActionInfo {
  state: ChangeState;
  /** What the target is, in messages ("cluster demo has no nodegroup ng-9"). */
  targetKind: 'nodegroup' | 'Fargate profile' | 'access entry' | 'cluster' | 'add-on' | 'Pod Identity association';
}

export const CHANGE_ACTIONS = {
  ADD_NODEGROUP: { state: 'Change Nodegroup', targetKind: 'nodegroup' },
  UPDATE_NODEGROUP: { state: 'Change Nodegroup', targetKind: 'nodegroup' },
  REMOVE_NODEGROUP: { state: 'Change Nodegroup', targetKind: 'nodegroup' },
  ADD_SELF_MANAGED_NODEGROUP: { state: 'Change Self-managed Nodegroup', targetKind: 'nodegroup' },
  UPDATE_SELF_MANAGED_NODEGROUP: { state: 'Change Self-managed Nodegroup', targetKind: 'nodegroup' },
  REMOVE_SELF_MANAGED_NODEGROUP: { state: 'Change Self-managed Nodegroup', targetKind: 'nodegroup' },
  ADD_FARGATE_PROFILE: { state: 'Change Fargate Profile', targetKind: 'Fargate profile' },
  REMOVE_FARGATE_PROFILE: { state: 'Change Fargate Profile', targetKind: 'Fargate profile' },
  ADD_ACCESS_ENTRY: { state: 'Change Access', targetKind: 'access entry' },
  REMOVE_ACCESS_ENTRY: { state: 'Change Access', targetKind: 'access entry' },
  SET_ENDPOINT_ACCESS: { state: 'Change Endpoint Access', targetKind: 'cluster' },
  UPDATE_SETTINGS: { state: 'Change Settings', targetKind: 'cluster' },
  ADD_ADDON: { state: 'Change Addon', targetKind: 'add-on' },
  UPDATE_ADDON: { state: 'Change Addon', targetKind: 'add-on' },
  REMOVE_ADDON: { state: 'Change Addon', targetKind: 'add-on' },
  ADD_POD_IDENTITY_ASSOCIATION: { state: 'Change Pod Identity', targetKind: 'Pod Identity association' },
  REMOVE_POD_IDENTITY_ASSOCIATION: { state: 'Change Pod Identity', targetKind: 'Pod Identity association' },
} as const satisfies Record<ChangeAction, ChangeActionInfo>;

// The schema lists the actions twice (the ChangeAction enum and ClusterChange's branches): the compiler holds them equal.
type SameSet<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const branchesMatchActions: SameSet<ChangeAction, ClusterChange['action']> = true;
void branchesMatchActions;

type ActionsOf<S extends ChangeState> = { [A in ChangeAction]: (typeof CHANGE_ACTIONS)[A]['state'] extends S ? A : never }[ChangeAction];

/** The changes one Task state carries out. */
export type ChangeFor<S extends ChangeState> = Extract<ClusterChange, { action: ActionsOf<S> }>;

/** The change, as the state's own kind; a change the ASL routed elsewhere is a wiring bug, named. */
export function changeFor<S extends ChangeState>(change: ClusterChange, state: S): ChangeFor<S> {
  if (CHANGE_ACTIONS[change.action].state !== state) throw new InvalidStepInputError(`${change.action} is not carried out by ${state} (it is ${CHANGE_ACTIONS[change.action].state}'s)`);
  return change as ChangeFor<S>;
}
