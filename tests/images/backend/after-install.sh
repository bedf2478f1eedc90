#!/bin/sh
# Customize hook (mmdebstrap): the app in /app, byte-compiled (the root is read-only at run time).
set -eu
root=$1 recipe=$2 models=$3
install -d -m 0755 "$root/app"
install -m 0644 "$recipe/app/main.py" "$root/app/main.py"
install -m 0644 "$models" "$root/app/app_models.py"
chroot "$root" python3 -m compileall -q /app
# The app must import with its dependencies (no database needed to import it).
chroot "$root" sh -c 'cd /app && python3 -c "import main, fastapi, uvicorn, sqlalchemy, psycopg2, redis; print(\"fastapi\", fastapi.__version__, \"sqlalchemy\", sqlalchemy.__version__)"'
chroot "$root" dpkg-query -W >"$root/usr/share/doc/stand-in-packages.txt"
