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
ISSUER: {{ $issuer | quote }}
{{- /* The Job migrates before the rollout; pods only migrate when there is no Job. */}}
MIGRATE_ON_START: {{ ternary "false" "true" .Values.migration.enabled | quote }}
LOG_LEVEL: {{ $c.logLevel | toString | quote }}
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
Secret environment from the existing Secret. Database, cookie and signing keys must be in it
(a pod without them would not start); the bootstrap operator and static AWS credentials may be
absent (optional), e.g. AWS credentials come from IRSA instead.
*/}}
{{- define "gatehouse.secretEnv" -}}
{{- $secret := required "secrets.existingSecret is required: the name of a Secret holding DATABASE_URL, COOKIE_KEYS, JWKS ..." .Values.secrets.existingSecret }}
{{- $k := .Values.secrets.keys }}
{{- $vars := list
  (list "DATABASE_URL" $k.databaseUrl false)
  (list "REDIS_URL" $k.redisUrl false)
  (list "COOKIE_KEYS" $k.cookieKeys false)
  (list "JWKS" $k.jwks false)
  (list "BOOTSTRAP_OPERATOR_CLIENT_ID" $k.bootstrapOperatorClientId true)
  (list "BOOTSTRAP_OPERATOR_CLIENT_SECRET" $k.bootstrapOperatorClientSecret true)
  (list "AWS_ACCESS_KEY_ID" $k.awsAccessKeyId true)
  (list "AWS_SECRET_ACCESS_KEY" $k.awsSecretAccessKey true) }}
{{- range $vars }}
{{- if index . 1 }}
- name: {{ index . 0 }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret | quote }}
      key: {{ index . 1 | quote }}
      {{- if index . 2 }}
      optional: true
      {{- end }}
{{- end }}
{{- end }}
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
