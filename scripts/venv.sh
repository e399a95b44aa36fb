# Sourced by demo.sh and test.sh: install Floorbridge into .venv only when something that
# shapes the install changed, so a restart takes a second instead of a reinstall (16-18 s).
#
# A stamp per extra ("base", "test") in .venv holds a hash of pyproject.toml and the
# Python version; an editable install picks up code changes by itself, so only those two
# matter. A fresh clone (CI) has no .venv, hence no stamp: it installs as before.

VENV_STAMP_DIR=.venv/.floorbridge-installed

# venv_hash: what an install depends on, as one line.
venv_hash() {
  { cat pyproject.toml; .venv/bin/python -c 'import sys; print(sys.version)'; } \
    | sha256sum | cut -d' ' -f1
}

# venv_needs_install EXTRA: true (0) when EXTRA (base or test) is not installed as is.
venv_needs_install() {
  local stamp="$VENV_STAMP_DIR/$1"
  [ -x .venv/bin/python ] || return 0
  [ -f "$stamp" ] || return 0
  [ "$(cat "$stamp")" != "$(venv_hash)" ]
}

# venv_mark_installed EXTRA...: record that these extras are installed as pyproject says.
venv_mark_installed() {
  mkdir -p "$VENV_STAMP_DIR"
  local hash extra
  hash=$(venv_hash)
  for extra in "$@"; do
    printf '%s\n' "$hash" >"$VENV_STAMP_DIR/$extra"
  done
}

# venv_install EXTRA: create .venv if needed, install when the stamp is stale.
venv_install() {
  local extra=$1 spec=.
  [ "$extra" = base ] || spec=".[$extra]"
  [ -x .venv/bin/python ] || "${PYTHON:-python3}" -m venv .venv
  if ! venv_needs_install "$extra"; then
    return 0
  fi
  echo "installing Floorbridge into .venv ($spec; pyproject.toml or Python changed)" >&2
  .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
  .venv/bin/python -m pip install --quiet -e "$spec"
  if [ "$extra" = base ]; then
    venv_mark_installed base
  else
    venv_mark_installed base "$extra"  # an install with extras holds the base one too
  fi
}
