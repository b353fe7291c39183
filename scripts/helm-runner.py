#!/usr/bin/env python3
"""Real Helm for Flow Controller: renders and lints charts with Helm's own engine (PyPI helm-python-sdk, Helm v4
as a native library; scripts/env.sh installs it into .tools/helm). integrations/helm.ts spawns one process per
request: one JSON object on stdin, one JSON object on stdout, exit code 0 either way (a failure is data).

Request:  {"op": "render" | "lint", "chartDir": str, "values": {...}?, "valueFiles": [str]?,
           "releaseName": str (render), "namespace": str?, "strict": bool? (lint)}
Response: {"ok": true, "manifests": {template path: text}}          (render)
          {"ok": true, "report": {"messages": [...], "errors": [...]}} (lint)
          {"ok": false, "code": "chart-load" | "values" | "render" | "io" | "bad-request" | "helm", "message": str}

Value files are merged like `helm template -f a -f b --set …`: maps deep-merge, later files win, `values` last.
Messages carry Helm's own wording and file names, never the content of a values file.
"""
import json
import sys


def fail(code, message):
    json.dump({"ok": False, "code": code, "message": message}, sys.stdout)
    sys.stdout.write("\n")
    return 0


def merge(base, over):
    """Helm's mergeMaps (pkg/cli/values): maps merge recursively, anything else is replaced."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def code_of(err, helm):
    if isinstance(err, helm.HelmChartLoadError) or isinstance(err, helm.HelmChartInvalidError):
        return "chart-load"
    if isinstance(err, helm.HelmValuesError):
        return "values"
    if isinstance(err, helm.HelmRenderError):
        return "render"
    return "helm"


def main():
    try:
        request = json.load(sys.stdin)
    except ValueError as err:
        return fail("bad-request", f"request is not JSON: {err.__class__.__name__}")
    if not isinstance(request, dict) or request.get("op") not in ("render", "lint"):
        return fail("bad-request", "request needs op render or lint")
    chart_dir = request.get("chartDir")
    if not isinstance(chart_dir, str) or not chart_dir:
        return fail("bad-request", "request needs chartDir")
    try:
        import helm_python as helm
    except ImportError as err:
        return fail("helm", f"helm-python-sdk is not importable ({err}); run `source scripts/env.sh`")

    values = {}
    for name in request.get("valueFiles") or []:
        try:
            with open(name, encoding="utf-8") as f:
                text = f.read()
        except OSError as err:
            return fail("io", f"values file {name}: {err.strerror or err.__class__.__name__}")
        try:
            doc = helm.values_from_yaml(text)
        except helm.HelmError as err:
            return fail("values", f"values file {name}: {err.detail}")
        values = merge(values, doc or {})
    extra = request.get("values") or {}
    if not isinstance(extra, dict):
        return fail("bad-request", "values must be a mapping")
    values = merge(values, extra)

    try:
        if request["op"] == "lint":
            report = helm.lint(chart_dir, values, namespace=request.get("namespace"), strict=bool(request.get("strict")))
            json.dump({"ok": True, "report": report}, sys.stdout)
        else:
            with helm.Chart.load(chart_dir) as chart:
                manifests = chart.render(
                    values=values,
                    name=request.get("releaseName"),
                    namespace=request.get("namespace"),
                    is_install=True,
                )
            json.dump({"ok": True, "manifests": manifests}, sys.stdout)
    except helm.HelmError as err:
        return fail(code_of(err, helm), err.detail.strip())
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
