/**
 * The pool on several hosts (issue 10), part 2: a node cut off for 20 s, a rolling restart of
 * every node, and the manager SIGKILLed while nodes serve (see
 * test/helpers/history/multihost-suite.ts).
 */
import { describeMultihost } from '../helpers/history/multihost-suite.js';
describeMultihost('multi-host pool on network namespaces (issue 10), part 2', [
    'cut',
    'rolling',
    'manager',
]);
//# sourceMappingURL=multihost-2.test.js.map