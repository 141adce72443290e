/**
 * The history checker over a pool under faults (issues 9 and 10), part 2 of 2: a seeded schedule
 * of 26 manual resizes (1..4 nodes), each with a fault — members SIGKILLed or SIGSTOPped, a grow
 * whose new node dies mid-move, two resizes at once, a clear or a config change during a resize —
 * while four clients put, get and delete through the gateway; every read is checked against the
 * acknowledged writes. The two parts make the 52 resizes of the CI run (see
 * test/helpers/history/fault-suite.ts for replaying a seed).
 */
import { describeFaultHistory } from '../helpers/history/fault-suite.js';
describeFaultHistory(2, 26, 200_000);
//# sourceMappingURL=history-faults-2.test.js.map