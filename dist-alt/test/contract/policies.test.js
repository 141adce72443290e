/** Runs the policy contract against every built-in policy. */
import { builtinPolicies } from '../../src/store/index.js';
import { policyContract } from './policy-contract.js';
for (const [name, factory] of Object.entries(builtinPolicies))
    policyContract(name, factory);
//# sourceMappingURL=policies.test.js.map