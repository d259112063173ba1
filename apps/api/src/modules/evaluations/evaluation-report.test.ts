import { describe, expect, it } from 'vitest';
import { classOfFamily } from './evaluation-report';

describe('classOfFamily: which families a model knows, and as which class', () => {
  const labels = ['benign', 'mergedDGA', 'necurs', 'pykspa'];

  it("follows the label policy's map the model recorded: merged families are known (as mergedDGA), dropped and unseen ones are not", () => {
    const classOf = classOfFamily(labels, { benign: 'benign', necurs: 'necurs', pykspa: 'pykspa', symmi: 'mergedDGA', madmax: null }, []);
    expect(['benign', 'necurs', 'symmi', 'madmax', 'simda'].map(classOf)).toEqual(['benign', 'necurs', 'mergedDGA', null, null]);
  });

  it('never answers a class the model does not have', () => {
    expect(classOfFamily(['benign', 'necurs'], { necurs: 'necurs', symmi: 'mergedDGA' }, [])('symmi')).toBeNull();
  });

  it('models from before the map: their labels, and families of their training snapshots as mergedDGA when they have it', () => {
    const classOf = classOfFamily(labels, null, ['benign', 'necurs', 'pykspa', 'symmi']);
    expect(['necurs', 'symmi', 'simda'].map(classOf)).toEqual(['necurs', 'mergedDGA', null]);
    expect(classOfFamily(['benign', 'necurs'], null, ['necurs', 'symmi'])('symmi')).toBeNull();
  });
});
