{{- define "faultline.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "faultline.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "faultline.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "faultline.secretName" -}}
{{- .Values.existingSecret | default (printf "%s-secret" (include "faultline.fullname" .)) -}}
{{- end -}}

{{- define "faultline.dbHost" -}}
{{- if .Values.postgresql.deploy -}}
{{ include "faultline.fullname" . }}-postgresql
{{- else -}}
{{ required "postgresql.host is required when postgresql.deploy is false" .Values.postgresql.host }}
{{- end -}}
{{- end -}}

{{/* With the deployed Valkey the password comes from the Secret, as $(REDIS_PASSWORD): the
environment defines REDIS_PASSWORD before REDIS_URL (faultline.env). */}}
{{- define "faultline.redisUrl" -}}
{{- if .Values.valkey.deploy -}}
redis://:$(REDIS_PASSWORD)@{{ include "faultline.fullname" . }}-valkey:6379/0
{{- else -}}
{{ required "valkey.url is required when valkey.deploy is false" .Values.valkey.url }}
{{- end -}}
{{- end -}}

{{/*
The environment of every Faultline container. `direct` bypasses PgBouncer (session state).
Call with (dict "root" $ "direct" bool).
*/}}
{{- define "faultline.env" -}}
{{- $root := .root -}}
{{- $pg := $root.Values.postgresql -}}
- name: SECRET_KEY
  valueFrom: {secretKeyRef: {name: {{ include "faultline.secretName" $root }}, key: SECRET_KEY}}
- name: DATABASE_PASSWORD
  valueFrom: {secretKeyRef: {name: {{ include "faultline.secretName" $root }}, key: DATABASE_PASSWORD}}
{{- if .direct }}
- name: DATABASE_URL
  value: "postgresql://{{ $pg.user }}:$(DATABASE_PASSWORD)@{{ include "faultline.dbHost" $root }}:{{ $pg.port }}/{{ $pg.database }}"
- name: DB_TRANSACTION_POOLING
  value: "false"
{{- else }}
- name: DATABASE_URL
  value: "postgresql://{{ $pg.user }}:$(DATABASE_PASSWORD)@{{ include "faultline.fullname" $root }}-pgbouncer:5432/{{ $pg.database }}"
- name: DB_TRANSACTION_POOLING
  value: "true"
{{- end }}
{{- if $root.Values.valkey.deploy }}
- name: REDIS_PASSWORD
  valueFrom: {secretKeyRef: {name: {{ include "faultline.secretName" $root }}, key: REDIS_PASSWORD}}
{{- end }}
- name: REDIS_URL
  value: {{ include "faultline.redisUrl" $root | quote }}
- name: FAULTLINE_URL
  value: {{ $root.Values.url | quote }}
- name: INGEST_DRAIN_SLOTS  # every ingest worker's concurrency, added up
  value: {{ mul $root.Values.workers.ingest.replicas $root.Values.workers.ingest.concurrency | quote }}
- name: EMBEDDING_ONNX_DIR
  value: /var/lib/faultline/onnx
- name: FAULTLINE_MODEL_DIR  # the grouping models (the root is read-only): workers' `models`
  value: /var/lib/faultline/models
- name: FAULTLINE_TRAINING_DIR
  value: /var/lib/faultline/models/training-sets
{{- range $name, $value := $root.Values.extraEnv }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}

{{/* An image reference: repository@digest when a digest is given, else repository:tag. Call
with (dict "image" .Values.image "tag" default-tag). */}}
{{- define "faultline.image" -}}
{{- if .image.digest -}}
{{ .image.repository }}@{{ .image.digest }}
{{- else -}}
{{ .image.repository }}:{{ .image.tag | default .tag }}
{{- end -}}
{{- end -}}

{{- define "faultline.appImage" -}}
{{- if .gpu -}}
{{ include "faultline.image" (dict "image" .root.Values.gpuImage "tag" (printf "%s-gpu" .root.Chart.AppVersion)) }}
{{- else -}}
{{ include "faultline.image" (dict "image" .root.Values.image "tag" .root.Chart.AppVersion) }}
{{- end -}}
{{- end -}}

{{/* The pod's security context: the image's non-root user; volumes writable by its group. */}}
{{- define "faultline.podSecurity" -}}
runAsNonRoot: true
runAsUser: {{ . }}
runAsGroup: {{ . }}
fsGroup: {{ . }}
seccompProfile: {type: RuntimeDefault}
{{- end -}}

{{/* Every container's: no privilege escalation, no capabilities, a read-only root filesystem
(what a program writes goes to an emptyDir or a claim). */}}
{{- define "faultline.containerSecurity" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities: {drop: [ALL]}
{{- end -}}

{{/* The Faultline containers' writable places: /tmp, and the ONNX export made at start. */}}
{{- define "faultline.appMounts" -}}
- {name: tmp, mountPath: /tmp}
- {name: onnx, mountPath: /var/lib/faultline/onnx}
{{- end -}}

{{- define "faultline.appVolumes" -}}
- {name: tmp, emptyDir: {}}
- {name: onnx, emptyDir: {}}
{{- end -}}

{{/* An init container that waits until every migration is applied (the migrate Job's). */}}
{{- define "faultline.waitForMigrations" -}}
name: wait-for-migrations
image: {{ include "faultline.appImage" (dict "root" .root "gpu" (default false .gpu)) }}
imagePullPolicy: {{ .root.Values.image.pullPolicy }}
command: ["sh", "-c", "until python manage.py migrate --check >/dev/null 2>&1; do sleep 5; done"]
env: {{- include "faultline.env" (dict "root" .root "direct" .direct) | nindent 2 }}
securityContext: {{- include "faultline.containerSecurity" . | nindent 2 }}
volumeMounts: {{- include "faultline.appMounts" . | nindent 2 }}
{{- end -}}

{{/* The web pod's preStop: wait (at most web.drainSeconds) until this pod's spool is replayed. */}}
{{- define "faultline.waitForEmptySpool" -}}
import json, time, urllib.request
deadline = time.time() + {{ .Values.web.drainSeconds }}
while time.time() < deadline:
    try:
        with urllib.request.urlopen("http://127.0.0.1:8000/_health/", timeout=3) as reply:
            if json.load(reply)["spool"]["events"] == 0:
                break
    except Exception:
        pass
    time.sleep(2)
{{- end -}}
