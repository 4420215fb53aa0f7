import {
  addonProgress,
  clusterProgress,
  fargateProfileProgress,
  nodegroupProgress,
  stackCreateProgress,
  stackDeleteProgress,
  subresourceDeleteProgress,
  updateProgress,
  type Progress,
} from '../../../functions/domain/status';

type Row<T> = [string | undefined, T];

describe('stackCreateProgress', () => {
  it.each<Row<Progress>>([
    ['CREATE_IN_PROGRESS', 'pending'],
    ['REVIEW_IN_PROGRESS', 'pending'],
    ['CREATE_COMPLETE', 'ready'],
    ['UPDATE_COMPLETE', 'ready'],
    ['CREATE_FAILED', 'failed'],
    // A rollback under way already means the create failed: its cause is in the events now.
    ['ROLLBACK_IN_PROGRESS', 'failed'],
    ['ROLLBACK_COMPLETE', 'failed'],
    ['ROLLBACK_FAILED', 'failed'],
    ['DELETE_IN_PROGRESS', 'failed'],
    ['DELETE_COMPLETE', 'failed'],
    ['DELETE_FAILED', 'failed'],
    ['UPDATE_ROLLBACK_COMPLETE', 'failed'],
    ['IMPORT_COMPLETE', 'failed'],
    ['SOMETHING_NEW', 'failed'],
    ['', 'failed'],
    [undefined, 'failed'],
  ])('classifies %s as %s', (status, expected) => {
    expect(stackCreateProgress(status)).toBe(expected);
  });
});

describe('stackDeleteProgress', () => {
  it.each<Row<ReturnType<typeof stackDeleteProgress>>>([
    [undefined, 'gone'],
    ['DELETE_COMPLETE', 'gone'],
    ['DELETE_IN_PROGRESS', 'pending'],
    ['CREATE_IN_PROGRESS', 'pending'],
    ['ROLLBACK_IN_PROGRESS', 'pending'],
    ['UPDATE_IN_PROGRESS', 'pending'],
    ['UPDATE_ROLLBACK_IN_PROGRESS', 'pending'],
    ['DELETE_FAILED', 'failed'],
    ['CREATE_COMPLETE', 'deletable'],
    ['CREATE_FAILED', 'deletable'],
    ['ROLLBACK_COMPLETE', 'deletable'],
    ['ROLLBACK_FAILED', 'deletable'],
    ['UPDATE_ROLLBACK_COMPLETE', 'deletable'],
  ])('classifies %s as %s', (status, expected) => {
    expect(stackDeleteProgress(status)).toBe(expected);
  });
});

describe('clusterProgress', () => {
  it.each<Row<Progress>>([
    ['PENDING', 'pending'],
    ['CREATING', 'pending'],
    ['ACTIVE', 'ready'],
    ['UPDATING', 'ready'],
    ['FAILED', 'failed'],
    ['DELETING', 'failed'],
    ['UNKNOWN', 'failed'],
    [undefined, 'failed'],
  ])('classifies %s as %s', (status, expected) => {
    expect(clusterProgress(status)).toBe(expected);
  });
});

describe('nodegroupProgress', () => {
  it.each<Row<Progress>>([
    ['CREATING', 'pending'],
    ['UPDATING', 'pending'],
    ['ACTIVE', 'ready'],
    ['CREATE_FAILED', 'failed'],
    ['DEGRADED', 'failed'],
    ['DELETING', 'failed'],
    ['DELETE_FAILED', 'failed'],
    ['SOMETHING_NEW', 'failed'],
    [undefined, 'failed'],
  ])('classifies %s as %s', (status, expected) => {
    expect(nodegroupProgress(status)).toBe(expected);
  });
});

describe('fargateProfileProgress', () => {
  it.each<Row<Progress>>([
    ['CREATING', 'pending'],
    ['ACTIVE', 'ready'],
    ['CREATE_FAILED', 'failed'],
    ['DELETING', 'failed'],
    ['DELETE_FAILED', 'failed'],
    ['SOMETHING_NEW', 'failed'],
    [undefined, 'failed'],
  ])('classifies %s as %s', (status, expected) => {
    expect(fargateProfileProgress(status)).toBe(expected);
  });
});

describe('addonProgress', () => {
  it.each<Row<Progress>>([
    ['CREATING', 'pending'],
    ['UPDATING', 'pending'],
    // coredns is DEGRADED until nodes join, which happens in parallel.
    ['DEGRADED', 'pending'],
    ['ACTIVE', 'ready'],
    ['CREATE_FAILED', 'failed'],
    ['UPDATE_FAILED', 'failed'],
    ['DELETING', 'failed'],
    ['DELETE_FAILED', 'failed'],
    ['SOMETHING_NEW', 'failed'],
    [undefined, 'failed'],
  ])('classifies %s as %s', (status, expected) => {
    expect(addonProgress(status)).toBe(expected);
  });
});

describe('updateProgress', () => {
  it.each<Row<Progress>>([
    ['InProgress', 'pending'],
    ['Successful', 'ready'],
    ['Failed', 'failed'],
    ['Cancelled', 'failed'],
    ['IN_PROGRESS', 'failed'],
    [undefined, 'failed'],
  ])('classifies %s as %s', (status, expected) => {
    expect(updateProgress(status)).toBe(expected);
  });
});

describe('subresourceDeleteProgress', () => {
  it.each<Row<ReturnType<typeof subresourceDeleteProgress>>>([
    ['DELETING', 'pending'],
    ['CREATING', 'pending'],
    ['UPDATING', 'pending'],
    ['DELETE_FAILED', 'failed'],
    ['ACTIVE', 'deletable'],
    ['CREATE_FAILED', 'deletable'],
    ['DEGRADED', 'deletable'],
    [undefined, 'deletable'],
  ])('classifies %s as %s', (status, expected) => {
    expect(subresourceDeleteProgress(status)).toBe(expected);
  });
});

describe('every classifier', () => {
  it.each([
    ['stackCreateProgress', stackCreateProgress],
    ['clusterProgress', clusterProgress],
    ['nodegroupProgress', nodegroupProgress],
    ['fargateProfileProgress', fargateProfileProgress],
    ['addonProgress', addonProgress],
    ['updateProgress', updateProgress],
  ])('%s treats a status it does not know as failed rather than waiting on it', (_, classify) => {
    expect(classify('NOT_A_STATUS')).toBe('failed');
  });
});
