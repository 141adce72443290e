/**
 * A scale script for the command provisioner's tests: a StatefulSet in miniature. `scale.sh
 * COUNT` keeps nodes of ordinals 0..COUNT-1 running in the background (each started once, its
 * pid in node-<i>.pid and its output in node-<i>.log beside the script) and stops the ordinals
 * from COUNT up, the highest first.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
/**
 * Writes an executable `scale.sh` into `dir` and returns its path. `startNode` is the shell
 * command that starts the node of ordinal `$i` (it may use the script's environment).
 */
export function writeScaleScript(dir, startNode) {
    const script = join(dir, 'scale.sh');
    writeFileSync(script, `#!/bin/sh
# scale.sh COUNT: keeps nodes of ordinals 0..COUNT-1 running; removes the highest ordinals first.
set -eu
want=$1
dir=$(dirname "$0")
i=0
while [ "$i" -lt "$want" ]; do
  if [ ! -f "$dir/node-$i.pid" ]; then
    ${startNode} > "$dir/node-$i.log" 2>&1 &
    echo $! > "$dir/node-$i.pid"
  fi
  i=$((i + 1))
done
for f in "$dir"/node-*.pid; do
  [ -e "$f" ] || continue
  n=\${f##*/node-}
  n=\${n%.pid}
  if [ "$n" -ge "$want" ]; then
    kill "$(cat "$f")" 2>/dev/null || true
    rm -f "$f"
  fi
done
`);
    chmodSync(script, 0o755);
    return script;
}
//# sourceMappingURL=scale-script.js.map