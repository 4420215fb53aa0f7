/** Which nodes each nodegroup waits for, when it is Ready, and how a wait that is not over reads. */
import { expectedNodes, isReady, readinessOf, readinessText } from '../../../functions/domain/node-readiness';

const managed = (name: string, desiredSize: number) => ({ name, desiredSize }) as never;

describe('node readiness', () => {
  it("expects each nodegroup's desired count under its own label, and nothing from an empty one", () => {
    expect(expectedNodes({ managedNodeGroups: [managed('ng-1', 3), managed('ng-0', 0)], selfManagedNodeGroups: [managed('sm-1', 2)] })).toEqual([
      { nodegroup: 'ng-1', managed: true, labelSelector: 'eks.amazonaws.com/nodegroup=ng-1', desired: 3 },
      { nodegroup: 'sm-1', managed: false, labelSelector: 'eks-provisioner/nodegroup=sm-1', desired: 2 },
    ]);
  });

  it('counts only nodes whose Ready condition is True', () => {
    const group = { nodegroup: 'ng-1', managed: true, labelSelector: 'x=y', desired: 2 };
    const readiness = readinessOf(group, [{ name: 'a', ready: 'True' }, { name: 'b', ready: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' }]);

    expect(readiness.ready).toBe(1);
    expect(isReady(readiness)).toBe(false);
    expect(readinessText(readiness)).toBe('1/2 nodes Ready; not Ready: b (Ready=Unknown, NodeStatusUnknown: Kubelet stopped posting node status.)');
    expect(isReady(readinessOf(group, [{ name: 'a', ready: 'True' }, { name: 'b', ready: 'True' }]))).toBe(true);
  });

  it('says how many never registered, and where to look', () => {
    const readiness = readinessOf({ nodegroup: 'ng-1', managed: false, labelSelector: 'x=y', desired: 3 }, [{ name: 'a', ready: 'True' }]);

    expect(readinessText(readiness)).toBe("1/3 nodes Ready; 2 not registered with the API server (the kubelet never joined: check the node role's access and the instances' console output)");
  });
});
