#!/usr/bin/env bash
# Runs express-harden on the git repository in the current folder and opens (or updates) one pull request with its
# markdown body, on a fixed branch. When nothing changes, nothing is pushed and no pull request is opened.
# The commit holds exactly the files express-harden reports as written (its --written-list) and the lockfiles it
# updated: never whatever else the run left in the work tree (a package manager's node_modules, a stray file).
# Runs the same in GitHub Actions (action.yml calls it) and locally. See docs/github-action.md.
#
# Inputs (environment variables):
#   EXPRESS_HARDEN  the binary                                       (default: express-harden on PATH)
#   HARDEN_ARGS     extra flags, split on spaces, e.g. "--express 5 --store redis"              (default: none)
#   HARDEN_PATHS    paths to fix, split on spaces      (default: none: the config's paths.include, else .)
#   BRANCH          the branch of the pull request                         (default: express-harden/fixes)
#   BASE            the branch the pull request goes into                     (default: the current branch)
#   REMOTE          the remote to push to                                                (default: origin)
#   PR_TITLE        the title           (default: the first line of the markdown body without its "# ")
#   GH              the GitHub CLI command                                                  (default: gh)
#   MAX_BODY        longest body in bytes; past it the full diff is left out           (default: 65536)
#   SARIF_FILE      also write the dry run's SARIF log here, for code scanning   (default: none; a path outside
#                   the work tree, or one .gitignore covers, so that it is not committed)
#
# Exit codes: 0 done (pull request opened or updated, or nothing to change); 1 an error, with its reason on stderr.
set -euo pipefail

EXPRESS_HARDEN=${EXPRESS_HARDEN:-express-harden}
HARDEN_ARGS=${HARDEN_ARGS:-}
HARDEN_PATHS=${HARDEN_PATHS:-}
BRANCH=${BRANCH:-express-harden/fixes}
BASE=${BASE:-}
REMOTE=${REMOTE:-origin}
PR_TITLE=${PR_TITLE:-}
GH=${GH:-gh}
MAX_BODY=${MAX_BODY:-65536}
SARIF_FILE=${SARIF_FILE:-}

DEFAULT_NAME="express-harden"
DEFAULT_EMAIL="express-harden@users.noreply.github.com"

say() { printf 'harden-pr: %s\n' "$*"; }
# git without the repository's programs: no core.fsmonitor hook (git status would start it), no hooks, no pager.
git() { command git --no-pager -c core.fsmonitor=false -c core.hooksPath=/dev/null "$@"; }
fail() {
  printf 'harden-pr: error: %s\n' "$*" >&2
  exit 1
}
# Sets a step output when running in GitHub Actions.
output() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
  fi
}

read -r -a gh_cmd <<<"$GH"
read -r -a extra_args <<<"$HARDEN_ARGS"
read -r -a paths <<<"$HARDEN_PATHS"

# The number of the open pull request whose head is BRANCH, or nothing.
open_pr() {
  local number
  # `--head` matches the branch name in forks too: a fork's pull request must never get this body.
  number=$("${gh_cmd[@]}" pr list --head "$BRANCH" --state open --json number,isCrossRepository \
    --jq 'map(select(.isCrossRepository | not)) | .[0].number') || return 1
  if [ "$number" != "null" ]; then
    printf '%s' "$number"
  fi
}

# --- the repository and the base branch ---

git rev-parse --is-inside-work-tree >/dev/null 2>&1 || fail "$(pwd) is not inside a git work tree"
command -v "$EXPRESS_HARDEN" >/dev/null 2>&1 \
  || fail "express-harden not found ('$EXPRESS_HARDEN'): install it (npm install --global express-harden, or cargo install express-harden) or set EXPRESS_HARDEN"

current=$(git symbolic-ref --quiet --short HEAD || true)
if [ -z "$BASE" ]; then
  [ -n "$current" ] || fail "HEAD is detached: check out the base branch or set BASE"
  BASE=$current
fi
[ "$BRANCH" != "$BASE" ] || fail "BRANCH and BASE are both '$BASE': the pull request needs a branch of its own"

dirty=$(git status --porcelain)
if [ -n "$dirty" ]; then
  printf '%s\n' "$dirty" | sed 's/^/  /' >&2
  fail "the work tree has uncommitted changes (listed above): commit or stash them first, so that the pull request holds only express-harden's changes"
fi

if [ "$current" != "$BASE" ]; then
  git checkout -q "$BASE" || fail "could not check out the base branch '$BASE'"
  say "checked out $BASE"
fi

git fetch -q "$REMOTE" "refs/heads/$BASE" 2>/dev/null || fail "could not fetch '$BASE' from remote '$REMOTE'"
base_sha=$(git rev-parse HEAD)
remote_base=$(git rev-parse FETCH_HEAD)
if [ "$base_sha" != "$remote_base" ]; then
  fail "$BASE is at ${base_sha:0:12} here but at ${remote_base:0:12} on $REMOTE: pull or push first, so that the pull request holds only express-harden's changes"
fi
say "base: $BASE at ${base_sha:0:12}, the same as on $REMOTE"

tmp_dir=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/harden-pr.XXXXXX")
switched=""
cleanup() {
  if [ -n "$switched" ]; then
    git checkout -q "$BASE" 2>/dev/null || true
  fi
  rm -rf "$tmp_dir"
}
trap cleanup EXIT
body=$tmp_dir/body.md

# --- the tool ---

status=0
if [ -n "$SARIF_FILE" ]; then
  # Before anything is written: the findings and the proposed fixes, as code scanning shows them.
  "$EXPRESS_HARDEN" --format sarif ${extra_args[@]+"${extra_args[@]}"} -- ${paths[@]+"${paths[@]}"} \
    >"$SARIF_FILE" 2>"$tmp_dir/stderr" || status=$?
  if [ "$status" -gt 2 ] || [ ! -s "$SARIF_FILE" ]; then
    sed 's/^/  | /' "$tmp_dir/stderr" >&2
    fail "express-harden --format sarif exited with code $status (its messages are above)"
  fi
  say "wrote the SARIF log to $SARIF_FILE"
  output sarif-file "$SARIF_FILE"
  status=0
fi
written_list=$tmp_dir/written
"$EXPRESS_HARDEN" --write --lockfile --format markdown --written-list "$written_list" \
  ${extra_args[@]+"${extra_args[@]}"} -- ${paths[@]+"${paths[@]}"} >"$body" 2>"$tmp_dir/stderr" || status=$?
if [ "$status" -ne 0 ]; then
  sed 's/^/  | /' "$tmp_dir/stderr" >&2
  if [ -n "$(git status --porcelain)" ]; then
    fail "express-harden exited with code $status (its messages are above); what it wrote is left in the work tree for inspection"
  fi
  fail "express-harden exited with code $status (its messages are above)"
fi

# Stage what the tool wrote (paths relative to here, each ended by a NUL byte), and nothing else. A file git does not
# track (ignored, or outside the work tree) is left out.
staged=()
untracked=()
if [ -f "$written_list" ]; then
  while IFS= read -r -d '' file; do
    if git --literal-pathspecs ls-files --error-unmatch -- "$file" >/dev/null 2>&1; then
      staged+=("$file")
    else
      untracked+=("$file")
    fi
  done <"$written_list"
fi
for file in ${untracked[@]+"${untracked[@]}"}; do
  say "not committed: $file was written but git does not track it"
done
if [ "${#staged[@]}" -gt 0 ]; then
  git --literal-pathspecs add -- "${staged[@]}"
fi
# What else the run left (a package manager's node_modules, a stray file) stays out of the commit; say so.
left=$(git status --porcelain --untracked-files=normal | grep -v '^[MADRC] ' || true)
if [ -n "$left" ]; then
  say "left in the work tree, not committed (express-harden did not write these):"
  # (sed reads everything: head would leave printf writing to a closed pipe, which pipefail turns into a failure.)
  printf '%s\n' "$left" | sed -n '1,20s/^/  /p'
  lines=$(printf '%s\n' "$left" | wc -l | tr -d ' ')
  if [ "$lines" -gt 20 ]; then
    say "... and $((lines - 20)) more"
  fi
fi

if git diff --cached --quiet; then
  say "no changes: no pull request"
  output changed false
  # Leave an open pull request as it is, but say so: it may be stale once the base holds the same fixes.
  if number=$(open_pr 2>/dev/null) && [ -n "$number" ]; then
    say "pull request #$number from $BRANCH is still open and was left as it is (close it if it is no longer needed)"
    output pull-request "$number"
  fi
  exit 0
fi
say "express-harden changed $(git diff --cached --name-only | wc -l | tr -d ' ') file(s)"
output changed true

title=$PR_TITLE
if [ -z "$title" ]; then
  title=$(head -n 1 "$body")
  title=${title#\# }
fi
[ -n "$title" ] || title="express-harden: security fixes"

# GitHub refuses longer bodies: leave the collapsed full diff out (the commit holds it).
if [ "$(wc -c <"$body")" -gt "$MAX_BODY" ]; then
  awk '/^<details>$/ { held = $0; next }
       held != "" && /^<summary>Full diff<\/summary>$/ { exit }
       held != "" { print held; held = "" }
       { print }' "$body" >"$tmp_dir/short.md"
  printf '\nThe full diff is too long for a pull-request body: see the commit.\n' >>"$tmp_dir/short.md"
  cp "$tmp_dir/short.md" "$body"
  say "the body is longer than $MAX_BODY bytes: the full diff was left out of it"
fi

# --- the commit ---

identity=()
if [ -z "$(git config user.name || true)" ] && [ -z "${GIT_AUTHOR_NAME:-}" ]; then
  identity+=(-c "user.name=$DEFAULT_NAME")
fi
if [ -z "$(git config user.email || true)" ] && [ -z "${GIT_AUTHOR_EMAIL:-}" ]; then
  identity+=(-c "user.email=$DEFAULT_EMAIL")
fi

# The staged changes come along to the new branch (made at HEAD).
git checkout -q -B "$BRANCH"
switched=1
command_line="express-harden --write --lockfile${HARDEN_ARGS:+ $HARDEN_ARGS}${HARDEN_PATHS:+ $HARDEN_PATHS}"
git ${identity[@]+"${identity[@]}"} commit -q --no-verify -m "$title" -m "Made by \`$command_line\`."
say "committed on $BRANCH ($(git rev-parse --short=12 HEAD)) on top of $BASE"

# --- the push: none when the remote branch already holds the same tree on the same base ---

remote_sha=$(git ls-remote --heads "$REMOTE" "refs/heads/$BRANCH" | cut -f1)
same=""
if [ -n "$remote_sha" ]; then
  git fetch -q "$REMOTE" "refs/heads/$BRANCH" || fail "could not fetch $BRANCH from $REMOTE"
  if [ "$(git rev-parse "$remote_sha^{tree}")" = "$(git rev-parse "HEAD^{tree}")" ] \
    && [ "$(git rev-parse -q --verify "$remote_sha^" || true)" = "$base_sha" ] \
    && ! git rev-parse -q --verify "$remote_sha^2" >/dev/null; then
    same=1
  fi
fi
if [ -n "$same" ]; then
  # Keep the local branch on the commit that is already there.
  git reset -q --hard "$remote_sha"
  say "$BRANCH on $REMOTE already has these changes on top of $BASE: not pushed"
  output pushed false
else
  git push -q --force-with-lease="refs/heads/$BRANCH:$remote_sha" "$REMOTE" "HEAD:refs/heads/$BRANCH" \
    || fail "could not push $BRANCH to $REMOTE"
  if [ -n "$remote_sha" ]; then
    say "pushed $BRANCH to $REMOTE (replacing ${remote_sha:0:12})"
  else
    say "pushed $BRANCH to $REMOTE (new branch)"
  fi
  output pushed true
fi

# --- the pull request ---

number=$(open_pr) || fail "could not list the pull requests with '$GH pr list' (is GH_TOKEN set?)"
if [ -n "$number" ]; then
  "${gh_cmd[@]}" pr edit "$number" --title "$title" --body-file "$body" >/dev/null \
    || fail "could not update pull request #$number"
  say "updated pull request #$number: $title"
else
  url=$("${gh_cmd[@]}" pr create --base "$BASE" --head "$BRANCH" --title "$title" --body-file "$body" | tail -n 1) \
    || fail "could not open the pull request"
  number=${url##*/}
  say "opened pull request $url: $title"
fi
output pull-request "$number"

git checkout -q "$BASE"
switched=""
say "back on $BASE"
