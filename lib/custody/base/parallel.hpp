// Work spread over the machine's cores.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace custody {

// Runs `work(i)` for every i below `count`, on up to `most` threads (the
// caller's among them), each taking the next i as it finishes one: items of
// uneven cost keep every core busy. Returns when every item is done. An
// exception thrown by `work` (std::bad_alloc) stops the other threads taking
// new items and is rethrown here, rather than ending the process.
template<typename Work>
void
on_every_core(std::size_t count, unsigned most, const Work& work)
{
  std::atomic<std::size_t> next{0};
  std::exception_ptr thrown;
  std::mutex thrown_mutex;
  auto run = [&] {
    try {
      for (std::size_t i = next++; i < count; i = next++) {
        work(i);
      }
    } catch (...) {
      next = count;
      const std::lock_guard lock(thrown_mutex);
      if (!thrown) {
        thrown = std::current_exception();
      }
    }
  };
  const unsigned workers =
    std::clamp<unsigned>(std::thread::hardware_concurrency(), 1, most);
  std::vector<std::thread> threads;
  for (unsigned w = 1; w < workers && w < count; ++w) {
    threads.emplace_back(run);
  }
  run();
  for (auto& thread : threads) {
    thread.join();
  }
  if (thrown) {
    std::rethrow_exception(thrown);
  }
}

// Threads that work through batches of items in the background, in the order
// the batches were submitted, while the submitting thread goes on with its
// own work (reading what comes next, using what is done): a pipeline, where
// on_every_core is a barrier.
class WorkQueue
{
public:
  struct Job;
  using Ticket = std::shared_ptr<Job>;

  // Up to `most` threads, and no more than the machine has cores.
  explicit WorkQueue(unsigned most);
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;
  // Lets the items being worked on finish, drops those not started, and
  // joins the threads: whatever the items use must outlive the queue.
  ~WorkQueue();

  // Queues `work(i)` for every i below `count`.
  Ticket submit(std::size_t count, std::function<void(std::size_t)> work);
  // Returns once every item of the job is done, working on its items not
  // started yet meanwhile; rethrows the first exception an item threw (the
  // job's items after it are then skipped).
  void wait(const Ticket& job);

private:
  void run();
  // Claims and runs one item of `job`; called with `lock` held, returns
  // with it held.
  void run_one(Job& job, std::unique_lock<std::mutex>& lock);

  std::mutex m_mutex;
  std::condition_variable m_work;
  std::condition_variable m_done;
  std::deque<Ticket> m_queue;
  bool m_stopping = false;
  std::vector<std::thread> m_threads;
};

} // namespace custody
