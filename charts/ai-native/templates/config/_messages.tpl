{{/*
The app Secret's failure messages, each a template over named facts (config/secret.yaml): what
is wrong, why it matters, and the ways out.
*/}}

{{/*
ai-native.config.secretMissingOnUpgrade: the app Secret vanished before an upgrade, so its
generated values would be generated anew.
Facts: namespace, secret, release, lost (the consequences, joined), read (commands that read the
current values from running pods, joined), flags (the --set-string flags that pass them).
*/}}
{{- define "ai-native.config.secretMissingOnUpgrade" -}}


Secret {{ .namespace }}/{{ .secret }} is missing during an upgrade; the chart refuses to generate its values anew:
  - {{ .lost }}.
Fix it with one of:
  1. restore the Secret from your backup (kubectl -n {{ .namespace }} apply -f {{ .secret }}.backup.yaml)
     and upgrade again;
  2. read the current values from the pods that still run with them:
       {{ .read }}
     and upgrade again passing them (they are then stored in the re-created Secret):
       helm upgrade {{ .release }} ... {{ .flags }}
  3. manage the Secret yourself: --set secrets.existingSecret=<name>
     (keys JWT_SECRET_KEY, DATABASE_URL, REDIS_URL, POSTGRES_PASSWORD, OPENAI_API_KEY, GEMINI_API_KEY).
{{- end -}}

{{/*
ai-native.config.secretMissingOverKeptVolume: a fresh install over the database volume kept from
an earlier install, without the Secret holding that volume's password.
Facts: namespace, secret, volume (the kept PersistentVolumeClaim).
*/}}
{{- define "ai-native.config.secretMissingOverKeptVolume" -}}


PersistentVolumeClaim {{ .namespace }}/{{ .volume }} (the database volume kept from an earlier install) exists,
but Secret {{ .namespace }}/{{ .secret }} with its POSTGRES_PASSWORD does not; a newly generated password
would not match the data on that volume.
Fix it with one of:
  1. restore the Secret from your backup (kubectl -n {{ .namespace }} apply -f {{ .secret }}.backup.yaml)
     and install again;
  2. install again passing the old password: --set-string postgresql.auth.password=<POSTGRES_PASSWORD>;
  3. if the old data must go: kubectl -n {{ .namespace }} delete pvc {{ .volume }} (this deletes the
     database) and install again.
{{- end -}}
