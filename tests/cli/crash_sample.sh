# A sample of the crash loop (scripts/crash-loop): every writing command (init, record single,
# batch, amend, edit and by an intake member, attach, record --attach, key add, checkpoint, verify --repair, a stats
# release, policy --small-cell-floor, redact --text and --profile photo, a court bundle, a police
# referral proposed, approved and written, a dataset written) killed, and
# failing with a persistent ENOSPC and EIO, at 3 of its durable steps spread over them. The whole
# sweep is `scripts/crash-loop` (docs/reliability.md).
. "$(dirname "$0")/lib.sh"
bash "$CUSTODY_SOURCE/scripts/crash-loop" --sample 3 --bin "$CUSTODY_BIN"
