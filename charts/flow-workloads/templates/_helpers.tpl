{{/*
Labels and annotations of docs/gitops-layout.md "Labels and annotations". Every helper takes
(dict "root" $ "name" <workload name> "workload" <workload values>).
*/}}

{{/* spec.selector.matchLabels: the Application (release) name and the workload name. */}}
{{- define "flow-workloads.selector" -}}
app.kubernetes.io/instance: {{ .root.Release.Name | quote }}
app.kubernetes.io/name: {{ .name | quote }}
{{- end }}

{{/* Labels of the workload and of its pod template. */}}
{{- define "flow-workloads.labels" -}}
{{ include "flow-workloads.selector" . }}
app.kubernetes.io/managed-by: {{ .root.Release.Service | quote }}
{{- with (.root.Values.flowController | default dict).productVersion }}
app.kubernetes.io/version: {{ toString . | quote }}
{{- end }}
{{- end }}

{{/* Pod template annotations: a new release id or digest changes the template, so every promotion rolls the pods. */}}
{{- define "flow-workloads.podAnnotations" -}}
{{- $fc := .root.Values.flowController | default dict }}
{{- with $fc.releaseId }}
flow-controller.io/release-id: {{ toString . | quote }}
{{- end }}
{{- with $fc.descriptorDigest }}
flow-controller.io/descriptor-digest: {{ toString . | quote }}
{{- end }}
{{- end }}

{{/* Workload annotations (Argo CD adds argocd.argoproj.io/tracking-id itself when it applies the object). */}}
{{- define "flow-workloads.annotations" -}}
{{- include "flow-workloads.podAnnotations" . }}
{{- with (.root.Values.flowController | default dict).productVersion }}
flow-controller.io/product-version: {{ toString . | quote }}
{{- end }}
{{- end }}

{{/* Image string: repository@sha256:… when a digest is given (the digest wins), else repository:tag. */}}
{{- define "flow-workloads.image" -}}
{{- if .digest }}{{ .repository }}@{{ .digest }}{{ else }}{{ .repository }}:{{ toString .tag }}{{ end }}
{{- end }}

{{/* A container list from a name -> {image} map, in name order (Helm iterates maps sorted by key). */}}
{{- define "flow-workloads.containers" -}}
{{- range $cname, $c := . }}
- name: {{ $cname | quote }}
  image: {{ include "flow-workloads.image" $c.image | quote }}
{{- end }}
{{- end }}

{{/* The pod template of a workload (CronJob: of its job template). */}}
{{- define "flow-workloads.podTemplate" -}}
metadata:
  labels:
    {{- include "flow-workloads.labels" . | trim | nindent 4 }}
  {{- with include "flow-workloads.podAnnotations" . }}
  annotations:
    {{- . | trim | nindent 4 }}
  {{- end }}
spec:
  {{- if eq (.workload.kind | default "Deployment") "CronJob" }}
  restartPolicy: OnFailure
  {{- end }}
  {{- with .workload.initContainers }}
  initContainers:
    {{- include "flow-workloads.containers" . | trim | nindent 4 }}
  {{- end }}
  containers:
    {{- include "flow-workloads.containers" .workload.containers | trim | nindent 4 }}
{{- end }}
