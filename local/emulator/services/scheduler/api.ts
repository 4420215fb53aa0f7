/**
 * The Scheduler operations on the REST paths @aws-sdk/client-scheduler uses (restJson1): the
 * schedules, the schedule groups and the groups' tags, answered in Scheduler's shapes.
 */
import type { RestRoute } from '../../json';
import { EmulatorError } from '../../protocol';
import type { Schedule, ScheduleGroup } from '../../world';
import { arm, disarm, type SchedulerRuntime } from './firing';
import { createGroup, DEFAULT_GROUP, existingGroup, existingSchedule, groupByArn, keyOf } from './state';
import { asBody, NAME_PATTERN, Problems, validScheduleRequest, type Body } from './validation';

const seconds = (date: Date) => date.getTime() / 1000;

function renderSchedule(schedule: Schedule): Body {
  return {
    Arn: schedule.arn,
    GroupName: schedule.groupName,
    Name: schedule.name,
    ScheduleExpression: schedule.scheduleExpression,
    ...(schedule.scheduleExpressionTimezone ? { ScheduleExpressionTimezone: schedule.scheduleExpressionTimezone } : {}),
    ...(schedule.startDate ? { StartDate: seconds(schedule.startDate) } : {}),
    ...(schedule.endDate ? { EndDate: seconds(schedule.endDate) } : {}),
    ...(schedule.description !== undefined ? { Description: schedule.description } : {}),
    State: schedule.state,
    CreationDate: seconds(schedule.creationDate),
    LastModificationDate: seconds(schedule.lastModificationDate),
    ...(schedule.kmsKeyArn ? { KmsKeyArn: schedule.kmsKeyArn } : {}),
    Target: schedule.target,
    FlexibleTimeWindow: schedule.flexibleTimeWindow,
    ActionAfterCompletion: schedule.actionAfterCompletion,
  };
}

function renderGroup(group: ScheduleGroup): Body {
  return { Arn: group.arn, Name: group.name, State: 'ACTIVE', CreationDate: seconds(group.creationDate), LastModificationDate: seconds(group.lastModificationDate) };
}

function paged<T>(items: T[], query: URLSearchParams): { items: T[]; NextToken?: string } {
  const token = query.get('NextToken');
  const start = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(start) || start < 0) throw new EmulatorError(400, 'ValidationException', 'The NextToken provided is invalid.');
  const maxText = query.get('MaxResults');
  const max = maxText === null ? 100 : Number(maxText);
  if (!Number.isInteger(max) || max < 1 || max > 100) throw new EmulatorError(400, 'ValidationException', `1 validation error detected: Value '${maxText}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100`);
  const end = start + max;
  return { items: items.slice(start, end), ...(end < items.length ? { NextToken: Buffer.from(String(end)).toString('base64url') } : {}) };
}

function tagsOf(value: unknown): Record<string, string> {
  const problems = new Problems();
  const tags: Record<string, string> = {};
  for (const [i, tag] of (Array.isArray(value) ? value : []).entries()) {
    const key = problems.string(asBody(tag), 'Key', `tags.${i + 1}.member.key`, { min: 1, max: 128, required: true });
    const tagValue = problems.string(asBody(tag), 'Value', `tags.${i + 1}.member.value`, { min: 1, max: 256, required: true });
    if (key !== undefined && tagValue !== undefined) tags[key] = tagValue;
  }
  problems.throwIfAny();
  return tags;
}

/** What a route's operation receives: the path's {Params}, the query string and the JSON body. */
export interface Call {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Body;
}

export type SchedulerRoute = RestRoute<Call, Body>;

/** Scheduler's REST routes, run against one service instance's runtime. */
export function routes(runtime: SchedulerRuntime): SchedulerRoute[] {
  const { world, state } = runtime;
  const groupParam = (query: URLSearchParams, field = 'groupName') => {
    const value = query.get(field);
    return value === null || value === '' ? DEFAULT_GROUP : value;
  };
  return [
    {
      method: 'POST',
      path: '/schedules/{Name}',
      operation: 'CreateSchedule',
      run: ({ params, body }) => {
        const request = validScheduleRequest(world, params.Name!, body);
        existingGroup(state, request.groupName);
        const key = keyOf(request.groupName, request.name);
        const existing = state.schedules.get(key);
        if (existing) {
          // A retried call (the SDK resends its ClientToken) gets the same answer, not a conflict.
          if (request.clientToken !== undefined && existing.clientToken === request.clientToken) return { ScheduleArn: existing.arn };
          throw new EmulatorError(409, 'ConflictException', `Schedule ${request.name} already exists.`);
        }
        const now = world.clock.now();
        const schedule: Schedule = { name: request.name, groupName: request.groupName, arn: world.arn('scheduler', `schedule/${request.groupName}/${request.name}`), ...request.fields, creationDate: now, lastModificationDate: now, ...(request.clientToken ? { clientToken: request.clientToken } : {}) };
        state.schedules.set(key, schedule);
        arm(runtime, schedule);
        return { ScheduleArn: schedule.arn };
      },
    },
    {
      method: 'GET',
      path: '/schedules/{Name}',
      operation: 'GetSchedule',
      run: ({ params, query }) => renderSchedule(existingSchedule(state, groupParam(query), params.Name!)),
    },
    {
      method: 'PUT',
      path: '/schedules/{Name}',
      operation: 'UpdateSchedule',
      run: ({ params, body }) => {
        const request = validScheduleRequest(world, params.Name!, body);
        const previous = existingSchedule(state, request.groupName, request.name);
        disarm(runtime, previous);
        state.lastFired.delete(keyOf(previous.groupName, previous.name));
        // UpdateSchedule replaces every field: what the call leaves out returns to its default.
        const schedule: Schedule = { name: previous.name, groupName: previous.groupName, arn: previous.arn, ...request.fields, creationDate: previous.creationDate, lastModificationDate: world.clock.now(), ...(previous.clientToken ? { clientToken: previous.clientToken } : {}) };
        state.schedules.set(keyOf(schedule.groupName, schedule.name), schedule);
        arm(runtime, schedule);
        return { ScheduleArn: schedule.arn };
      },
    },
    {
      method: 'DELETE',
      path: '/schedules/{Name}',
      operation: 'DeleteSchedule',
      run: ({ params, query }) => {
        const schedule = existingSchedule(state, groupParam(query), params.Name!);
        disarm(runtime, schedule);
        state.schedules.delete(keyOf(schedule.groupName, schedule.name));
        state.lastFired.delete(keyOf(schedule.groupName, schedule.name));
        return {};
      },
    },
    {
      method: 'GET',
      path: '/schedules',
      operation: 'ListSchedules',
      run: ({ query }) => {
        const group = query.get('ScheduleGroup');
        if (group) existingGroup(state, group);
        const prefix = query.get('NamePrefix') ?? '';
        const only = query.get('State');
        const schedules = state
          .list(group ?? undefined)
          .filter((s) => s.name.startsWith(prefix) && (only === null || s.state === only))
          .sort((a, b) => keyOf(a.groupName, a.name).localeCompare(keyOf(b.groupName, b.name)));
        const { items, NextToken } = paged(schedules, query);
        return {
          Schedules: items.map((s) => ({ Arn: s.arn, Name: s.name, GroupName: s.groupName, State: s.state, CreationDate: seconds(s.creationDate), LastModificationDate: seconds(s.lastModificationDate), Target: { Arn: s.target.Arn } })),
          ...(NextToken ? { NextToken } : {}),
        };
      },
    },
    {
      method: 'POST',
      path: '/schedule-groups/{Name}',
      operation: 'CreateScheduleGroup',
      run: ({ params, body }) => {
        const problems = new Problems();
        problems.string({ Name: params.Name }, 'Name', 'name', { min: 1, max: 64, pattern: NAME_PATTERN, required: true });
        problems.throwIfAny();
        const tags = tagsOf(body.Tags);
        if (state.groups.has(params.Name!)) throw new EmulatorError(409, 'ConflictException', `Schedule group ${params.Name} already exists.`);
        return { ScheduleGroupArn: createGroup(world, state, params.Name!, tags).arn };
      },
    },
    {
      method: 'GET',
      path: '/schedule-groups/{Name}',
      operation: 'GetScheduleGroup',
      run: ({ params }) => renderGroup(existingGroup(state, params.Name!)),
    },
    {
      method: 'DELETE',
      path: '/schedule-groups/{Name}',
      operation: 'DeleteScheduleGroup',
      run: ({ params }) => {
        if (params.Name === DEFAULT_GROUP) throw new EmulatorError(400, 'ValidationException', 'The default schedule group cannot be deleted.');
        existingGroup(state, params.Name!);
        // Deleting a group deletes its schedules with it.
        for (const schedule of state.list(params.Name)) {
          disarm(runtime, schedule);
          state.schedules.delete(keyOf(schedule.groupName, schedule.name));
          state.lastFired.delete(keyOf(schedule.groupName, schedule.name));
        }
        state.groups.delete(params.Name!);
        return {};
      },
    },
    {
      method: 'GET',
      path: '/schedule-groups',
      operation: 'ListScheduleGroups',
      run: ({ query }) => {
        const prefix = query.get('NamePrefix') ?? '';
        const groups = [...state.groups.values()].filter((g) => g.name.startsWith(prefix)).sort((a, b) => a.name.localeCompare(b.name));
        const { items, NextToken } = paged(groups, query);
        return { ScheduleGroups: items.map(renderGroup), ...(NextToken ? { NextToken } : {}) };
      },
    },
    {
      method: 'GET',
      path: '/tags/{ResourceArn}',
      operation: 'ListTagsForResource',
      run: ({ params }) => ({ Tags: Object.entries(groupByArn(state, params.ResourceArn!).tags).map(([Key, Value]) => ({ Key, Value })) }),
    },
    {
      method: 'POST',
      path: '/tags/{ResourceArn}',
      operation: 'TagResource',
      run: ({ params, body }) => {
        const group = groupByArn(state, params.ResourceArn!);
        Object.assign(group.tags, tagsOf(body.Tags));
        return {};
      },
    },
    {
      method: 'DELETE',
      path: '/tags/{ResourceArn}',
      operation: 'UntagResource',
      run: ({ params, query }) => {
        const group = groupByArn(state, params.ResourceArn!);
        for (const key of query.getAll('TagKeys')) delete group.tags[key];
        return {};
      },
    },
  ];
}
