# init with a full disk (ENOSPC) from each of its durable steps on: exit 6 and nothing left behind,
# or a whole vault with its recovery identity; then init runs again. The loop is init_crash.sh's.
mode=enospc
. "$(dirname "$0")/init_crash.sh"
