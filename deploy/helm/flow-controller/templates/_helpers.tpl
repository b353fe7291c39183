{{/* Name of the chart (nameOverride), 63 characters at most. */}}
{{- define "flow-controller.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: fullnameOverride, else <release> when it contains the chart name, else <release>-<chart>. */}}
{{- define "flow-controller.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Selector labels of one component: (dict "root" $ "component" "api"|"worker"|"migrations"). */}}
{{- define "flow-controller.selectorLabels" -}}
app.kubernetes.io/name: {{ include "flow-controller.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Standard labels of every object of one component. */}}
{{- define "flow-controller.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "flow-controller.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: flow-controller
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end }}

{{- define "flow-controller.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "flow-controller.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret with DATABASE_URL (and FLOW_ADMIN_TOKEN): created by the operator, never by the chart. */}}
{{- define "flow-controller.secretName" -}}
{{- default (include "flow-controller.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{- define "flow-controller.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Environment shared by the API and the worker: the ConfigMap, the secrets by reference, HOME on the emptyDir. */}}
{{- define "flow-controller.appEnv" -}}
envFrom:
  - configMapRef:
      name: {{ include "flow-controller.fullname" . }}
  {{- with .Values.secrets.credentialsSecret }}
  - secretRef:
      name: {{ . }}
  {{- end }}
env:
  - name: HOME
    value: /tmp
  - name: DATABASE_URL
    valueFrom:
      secretKeyRef:
        name: {{ include "flow-controller.secretName" . }}
        key: {{ .Values.secrets.databaseUrlKey }}
  - name: FLOW_ADMIN_TOKEN
    valueFrom:
      secretKeyRef:
        name: {{ include "flow-controller.secretName" . }}
        key: {{ .Values.secrets.adminTokenKey }}
        optional: true
  {{- with .Values.metrics.tokenSecret }}
  {{- if .name }}
  - name: METRICS_TOKEN
    valueFrom:
      secretKeyRef:
        name: {{ .name }}
        key: {{ .key }}
  {{- end }}
  {{- end }}
{{- end }}

{{/* The writable paths (the root filesystem is read-only) and the optional secrets directory. */}}
{{- define "flow-controller.volumeMounts" -}}
- name: data
  mountPath: {{ .Values.config.FC_DATA_DIR }}
- name: tmp
  mountPath: /tmp
{{- if .Values.secrets.filesSecret }}
- name: secret-files
  mountPath: /run/secrets
  readOnly: true
{{- end }}
{{- end }}

{{- define "flow-controller.volumes" -}}
- name: data
  emptyDir:
    sizeLimit: {{ .Values.dataDir.sizeLimit }}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpDir.sizeLimit }}
{{- if .Values.secrets.filesSecret }}
- name: secret-files
  secret:
    secretName: {{ .Values.secrets.filesSecret }}
    defaultMode: 288 # 0440: the owner and fsGroup read
{{- end }}
{{- end }}

{{/* Pod template annotations: a config change rolls the pods. */}}
{{- define "flow-controller.podAnnotations" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
{{- end }}
