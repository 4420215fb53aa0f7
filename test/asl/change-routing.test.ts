/**
 * One place per change action: CHANGE_ACTIONS (functions/domain/change-actions.ts) names the Task
 * state of update-cluster that carries each action out, and the ASL's Choice on $.change.action
 * must route exactly so — every action to its state, no action the table does not know. The
 * Choice is run by the same interpreter as the workflows (aws-local-stepfunctions), so what is
 * checked is where an execution really goes, not how the rules happen to be written.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import { CHANGE_ACTIONS } from '../../functions/domain/change-actions';
import type { ChangeAction } from '../../functions/generated/types';
import { readDefinition, type StateDefinition } from '../../local/runtime/state-machine-runner';

const definition = readDefinition('update-cluster');
const ACTION_VARIABLE = '$.change.action';
const ACTIONS = Object.keys(CHANGE_ACTIONS) as ChangeAction[];

type Rule = { Variable?: string; StringEquals?: string; Next?: string; Or?: Rule[]; And?: Rule[]; Not?: Rule };

/** The rule and its nested Or/And/Not rules. */
const flatten = (rule: Rule): Rule[] => [rule, ...[...(rule.Or ?? []), ...(rule.And ?? []), ...(rule.Not ? [rule.Not] : [])].flatMap(flatten)];
const rulesOf = (state: StateDefinition) => (state.Choices as Rule[] | undefined) ?? [];
const readsAction = (state: StateDefinition) => state.Type === 'Choice' && rulesOf(state).flatMap(flatten).some((rule) => rule.Variable === ACTION_VARIABLE);

const routers = Object.entries(definition.States).filter(([, state]) => readsAction(state));
const [routerName, router] = routers[0] ?? ['', { Type: 'Choice' }];

/** Where the Choice sends an execution whose change has this action: the name of the state it goes to. */
async function routeOf(action: string): Promise<string> {
  const targets = new Set([...rulesOf(router).map((rule) => rule.Next!), router.Default as string]);
  // The Choice alone, each state it can go to replaced by a Pass that answers its own name.
  const alone = { StartAt: routerName, States: { [routerName]: router, ...Object.fromEntries([...targets].map((name) => [name, { Type: 'Pass', Result: name, End: true }])) } };
  const run = new StateMachine(structuredClone(alone) as never).run({ change: { action } } as never);
  return (await run.result) as string;
}

describe('update-cluster routes each change action to the one Task state CHANGE_ACTIONS names', () => {
  it('has one Choice on $.change.action, the first state an execution enters', () => {
    expect(routers.map(([name]) => name)).toEqual([routerName]);
    expect(definition.StartAt).toBe(routerName);
  });

  it.each(ACTIONS)('%s goes to its Task state', async (action) => {
    const state = CHANGE_ACTIONS[action].state;

    expect(await routeOf(action)).toBe(state);
    expect(definition.States[state]?.Type).toBe('Task');
  });

  it('sends an action the table does not know to its Default, which is no Task', async () => {
    const other = await routeOf('RESIZE_CONTROL_PLANE');

    expect(other).toBe(router.Default);
    expect(definition.States[other]?.Type).not.toBe('Task');
  });

  it('names no action besides those of CHANGE_ACTIONS, each once', () => {
    const named = rulesOf(router)
      .flatMap(flatten)
      .filter((rule) => rule.Variable === ACTION_VARIABLE)
      .map((rule) => rule.StringEquals);

    expect([...named].sort()).toEqual([...ACTIONS].sort());
  });

  it('routes to no Task state that carries out no action', () => {
    const stateOfSomeAction = new Set(ACTIONS.map((action) => CHANGE_ACTIONS[action].state));

    expect(rulesOf(router).filter((rule) => !stateOfSomeAction.has(rule.Next as never))).toEqual([]);
  });
});
