/**
 * The pool on several hosts (issue 10), part 1: a node SIGKILLed under load, and a node SIGSTOPped
 * for 20 s (see test/helpers/history/multihost-suite.ts).
 */
import { describeMultihost } from '../helpers/history/multihost-suite.js';
describeMultihost('multi-host pool on network namespaces (issue 10), part 1', ['kill', 'stop']);
//# sourceMappingURL=multihost-1.test.js.map