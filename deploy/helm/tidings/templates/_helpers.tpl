{{/* Names: the usual chart layout (release-chart, truncated to the 63 characters of a DNS label). */}}
{{- define "tidings.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "tidings.fullname" -}}
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

{{- define "tidings.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "tidings.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tidings.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "tidings.labels" -}}
helm.sh/chart: {{ include "tidings.chart" . }}
{{ include "tidings.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: tidings
{{- end }}

{{- define "tidings.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "tidings.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "tidings.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The CloudNativePG Cluster's name; the operator names its app-user Secret "<name>-app". */}}
{{- define "tidings.cnpgClusterName" -}}
{{- printf "%s-pg" (include "tidings.fullname" .) | trunc 50 | trimSuffix "-" }}
{{- end }}

{{/* Where DATABASE_URL comes from: always a Secret reference, never a value in the manifest. */}}
{{- define "tidings.databaseUrlRef" -}}
{{- if eq .Values.database.mode "cnpg" }}
name: {{ printf "%s-app" (include "tidings.cnpgClusterName" .) }}
key: uri
{{- else }}
name: {{ required "database.external.existingSecret: name the Secret that holds DATABASE_URL" .Values.database.external.existingSecret }}
key: {{ .Values.database.external.secretKey }}
{{- end }}
{{- end }}

{{/*
The Temporal frontend address. Bundled: the official chart's frontend Service in this release
(its fullname is the release name when that contains "temporal", else "<release>-temporal").
*/}}
{{- define "tidings.temporalAddress" -}}
{{- if .Values.temporal.bundled }}
{{- $base := ternary .Release.Name (printf "%s-temporal" .Release.Name) (contains "temporal" .Release.Name) | trunc 63 | trimSuffix "-" }}
{{- printf "%s-frontend:7233" $base }}
{{- else }}
{{- required "temporal.address: the Temporal frontend as host:port (or use the umbrella chart tidings-with-temporal)" .Values.temporal.address }}
{{- end }}
{{- end }}

{{/* Pods skip their own start-up migration only when the Job is sure to have run before them. */}}
{{- define "tidings.migrationsRunFirst" -}}
{{- if and .Values.migrations.enabled (has .Values.migrations.mode (list "helm" "argocd")) (eq .Values.database.mode "external") }}true{{ end }}
{{- end }}

{{/* The task queue name of one kind: <base>-<kind>, as domain/task-queues.ts names them. */}}
{{- define "tidings.taskQueue" -}}
{{- printf "%s-%s" (index . 0).Values.temporal.taskQueueBase (index . 1) }}
{{- end }}

{{/* Environment shared by every container of the chart. */}}
{{- define "tidings.commonEnv" -}}
- name: NODE_ENV
  value: production
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      {{- include "tidings.databaseUrlRef" . | trim | nindent 6 }}
- name: TEMPORAL_ADDRESS
  value: {{ include "tidings.temporalAddress" . | quote }}
- name: TEMPORAL_NAMESPACE
  value: {{ .Values.temporal.namespace | quote }}
- name: TEMPORAL_TASK_QUEUE
  value: {{ .Values.temporal.taskQueueBase | quote }}
{{- if .Values.metrics.tokenSecret.name }}
- name: METRICS_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ .Values.metrics.tokenSecret.name }}
      key: {{ .Values.metrics.tokenSecret.key }}
{{- end }}
{{- if include "tidings.migrationsRunFirst" . }}
- name: TIDINGS_SKIP_MIGRATIONS
  value: "1"
{{- end }}
{{- range $k, $v := .Values.env }}
- name: {{ $k }}
  value: {{ $v | toString | quote }}
{{- end }}
{{- end }}

{{/* The writable directories of a read-only root filesystem. */}}
{{- define "tidings.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end }}

{{- define "tidings.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- end }}

{{- define "tidings.podSpecCommon" -}}
serviceAccountName: {{ include "tidings.serviceAccountName" . }}
automountServiceAccountToken: {{ .Values.automountServiceAccountToken }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* Egress every app pod needs: DNS, then PostgreSQL and Temporal (addresses unknown to the chart: any destination on their ports). */}}
{{- define "tidings.egressRules" -}}
- ports:
    - { protocol: UDP, port: 53 }
    - { protocol: TCP, port: 53 }
- ports:
    - { protocol: TCP, port: {{ .Values.networkPolicy.postgresPort }} }
    - { protocol: TCP, port: {{ .Values.networkPolicy.temporalPort }} }
{{- end }}
