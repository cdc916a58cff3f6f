{{/* Chart name, overridable. */}}
{{- define "gatehouse.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: release-chart, unless the release name already contains the chart name. */}}
{{- define "gatehouse.fullname" -}}
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

{{- define "gatehouse.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "gatehouse.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gatehouse.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "gatehouse.labels" -}}
helm.sh/chart: {{ include "gatehouse.chart" . }}
{{ include "gatehouse.selectorLabels" . }}
app.kubernetes.io/version: {{ include "gatehouse.imageTag" . | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Labels of pods that are not serving (the migration Job's, the test's): no name label, so that
no selector of the serving pods (Services, PodDisruptionBudget, NetworkPolicy, spread) picks
them up: a Service would otherwise send traffic to a migration pod.
*/}}
{{- define "gatehouse.auxiliaryLabels" -}}
helm.sh/chart: {{ include "gatehouse.chart" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: {{ include "gatehouse.name" . }}
app.kubernetes.io/version: {{ include "gatehouse.imageTag" . | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "gatehouse.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "gatehouse.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "gatehouse.imageTag" -}}
{{- default .Chart.AppVersion .Values.image.tag }}
{{- end }}

{{- define "gatehouse.image" -}}
{{- printf "%s:%s" .Values.image.repository (include "gatehouse.imageTag" .) }}
{{- end }}

{{/*
Non-secret environment, one map for the ConfigMap (pods) and for the migration Job, which
cannot read the ConfigMap: a pre-install hook runs before the chart's resources exist.
Checks the required settings here so that a bad value fails at render time with its name.
*/}}
{{- define "gatehouse.configData" -}}
{{- $c := .Values.config }}
{{- $issuer := required "config.issuer is required: the public https URL of Gatehouse" $c.issuer }}
{{- if not (hasPrefix "https://" $issuer) }}
{{- fail "config.issuer must start with https:// (Gatehouse refuses anything else in production)" }}
{{- end -}}
NODE_ENV: "production"
PORT: {{ .Values.containerPort | toString | quote }}
METRICS_PORT: {{ .Values.metrics.port | toString | quote }}
ISSUER: {{ $issuer | quote }}
{{- /* The Job migrates before the rollout; pods only migrate when there is no Job. */}}
MIGRATE_ON_START: {{ ternary "false" "true" .Values.migration.enabled | quote }}
LOG_LEVEL: {{ $c.logLevel | toString | quote }}
WEB_CONCURRENCY: {{ $c.webConcurrency | toString | quote }}
{{- if .Values.cleanup.schedule }}
{{- /* The CronJob deletes expired rows: the pods do not. */}}
CLEANUP_INTERVAL_MINUTES: "0"
{{- end }}
DELIVERY: "aws"
AWS_REGION: {{ required "config.awsRegion is required: the SES/SNS region" $c.awsRegion | quote }}
EMAIL_FROM: {{ required "config.emailFrom is required: the sender address verified in SES" $c.emailFrom | quote }}
{{- if and $c.trustProxy (ne (toString $c.trustProxy) "0") }}
TRUST_PROXY: {{ $c.trustProxy | toString | quote }}
{{- end }}
{{- with $c.bcryptCost }}
BCRYPT_COST: {{ . | toString | quote }}
{{- end }}
{{- range $name, $value := $c.extra }}
{{ $name }}: {{ $value | toString | quote }}
{{- end }}
{{- end }}

{{/*
The secret variables and their keys in the existing Secret: [variable, key] pairs, only those
with a key. Every listed key must exist in the Secret (a pod without it does not start).
*/}}
{{- define "gatehouse.secretVariables" -}}
{{- $k := .Values.secrets.keys }}
{{- $all := list
  (list "DATABASE_URL" $k.databaseUrl)
  (list "REDIS_URL" $k.redisUrl)
  (list "COOKIE_KEYS" $k.cookieKeys)
  (list "JWKS" $k.jwks)
  (list "BOOTSTRAP_OPERATOR_CLIENT_ID" $k.bootstrapOperatorClientId)
  (list "BOOTSTRAP_OPERATOR_CLIENT_SECRET" $k.bootstrapOperatorClientSecret)
  (list "AWS_ACCESS_KEY_ID" $k.awsAccessKeyId)
  (list "AWS_SECRET_ACCESS_KEY" $k.awsSecretAccessKey)
  (list "KEY_ENCRYPTION_KEY" $k.keyEncryptionKey)
  (list "KEY_ENCRYPTION_KEY_PREVIOUS" $k.keyEncryptionKeyPrevious) }}
{{- $set := list }}
{{- range $all }}
{{- if index . 1 }}
{{- $set = append $set . }}
{{- end }}
{{- end }}
{{- toJson $set }}
{{- end }}

{{- define "gatehouse.secretName" -}}
{{- required "secrets.existingSecret is required: the name of a Secret holding DATABASE_URL, COOKIE_KEYS, JWKS ..." .Values.secrets.existingSecret }}
{{- end }}

{{- define "gatehouse.secretsPath" -}}
/var/run/secrets/gatehouse
{{- end }}

{{/*
Secret environment for the given [variable, key] pairs (root context in .root): NAME_FILE
pointing into the mounted Secret, or NAME from the Secret when secrets.mountAsFiles is false.
*/}}
{{- define "gatehouse.secretEnv" -}}
{{- $root := .root }}
{{- $secret := include "gatehouse.secretName" $root }}
{{- range .variables }}
{{- if $root.Values.secrets.mountAsFiles }}
- name: {{ index . 0 }}_FILE
  value: {{ printf "%s/%s" (include "gatehouse.secretsPath" $root) (index . 0) | quote }}
{{- else }}
- name: {{ index . 0 }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret | quote }}
      key: {{ index . 1 | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/* The Secret as files named after the variables, only the given keys (root in .root). */}}
{{- define "gatehouse.secretVolume" -}}
- name: secrets
  secret:
    secretName: {{ include "gatehouse.secretName" .root | quote }}
    # 0440: readable by the group the pod runs as (fsGroup), nobody else.
    defaultMode: 288
    items:
      {{- range .variables }}
      - key: {{ index . 1 | quote }}
        path: {{ index . 0 | quote }}
      {{- end }}
{{- end }}

{{- define "gatehouse.secretVolumeMount" -}}
- name: secrets
  mountPath: {{ include "gatehouse.secretsPath" . }}
  readOnly: true
{{- end }}

{{/*
Default topology spread: at most one pod more on any node than on another (two replicas on
two nodes never share one), and the same across zones when the cluster has them.
*/}}
{{- define "gatehouse.topologySpread" -}}
{{- if .Values.topologySpreadConstraints }}
{{- toYaml .Values.topologySpreadConstraints }}
{{- else if .Values.topologySpread.enabled }}
- maxSkew: 1
  topologyKey: kubernetes.io/hostname
  whenUnsatisfiable: {{ .Values.topologySpread.nodeWhenUnsatisfiable }}
  labelSelector:
    matchLabels:
      {{- include "gatehouse.selectorLabels" . | nindent 6 }}
- maxSkew: 1
  topologyKey: topology.kubernetes.io/zone
  whenUnsatisfiable: ScheduleAnyway
  labelSelector:
    matchLabels:
      {{- include "gatehouse.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end }}

{{/* PromQL matchers of this release's series (see metrics.prometheusRule.selector). */}}
{{- define "gatehouse.metricsSelector" -}}
{{- default (printf "job=%q,namespace=%q" (printf "%s-metrics" (include "gatehouse.fullname" .)) .Release.Namespace) .Values.metrics.prometheusRule.selector }}
{{- end }}

{{/* Writable scratch space, as the root filesystem is read-only. */}}
{{- define "gatehouse.tmpVolumeMount" -}}
- name: tmp
  mountPath: /tmp
{{- end }}

{{- define "gatehouse.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- end }}
