// Progress on a terminal and Ctrl-C for the long-running commands (attach,
// extract, verify --deep).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace custody::cli {

// "label: 512 MiB of 2.0 GiB (25 %)" rewritten in place on standard error when
// it is a terminal; nothing otherwise. finish_progress() ends the line.
std::function<void(std::uint64_t, std::uint64_t)>
terminal_progress(const std::string& label);
void finish_progress();

// Set by SIGINT or SIGTERM once watch_interrupts() ran: long loops check it,
// clean up and end with exit 130.
const std::atomic<bool>* watch_interrupts();

} // namespace custody::cli
