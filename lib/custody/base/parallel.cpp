// Background work (parallel.hpp).
#include <custody/base/parallel.hpp>

namespace custody {

struct WorkQueue::Job
{
  std::size_t count = 0;
  std::function<void(std::size_t)> work;
  std::size_t claimed = 0;
  std::size_t done = 0;
  std::exception_ptr thrown;
};

WorkQueue::WorkQueue(unsigned most)
{
  const unsigned threads =
    std::clamp<unsigned>(std::thread::hardware_concurrency(), 1, most);
  m_threads.reserve(threads);
  for (unsigned t = 0; t < threads; ++t) {
    m_threads.emplace_back([this] { run(); });
  }
}

WorkQueue::~WorkQueue()
{
  {
    const std::lock_guard lock(m_mutex);
    m_stopping = true;
    m_queue.clear();
  }
  m_work.notify_all();
  for (auto& thread : m_threads) {
    thread.join();
  }
}

WorkQueue::Ticket
WorkQueue::submit(std::size_t count, std::function<void(std::size_t)> work)
{
  auto job = std::make_shared<Job>();
  job->count = count;
  job->work = std::move(work);
  if (count > 0) {
    const std::lock_guard lock(m_mutex);
    m_queue.push_back(job);
  }
  m_work.notify_all();
  return job;
}

void
WorkQueue::run_one(Job& job, std::unique_lock<std::mutex>& lock)
{
  const std::size_t item = job.claimed++;
  const bool skip = static_cast<bool>(job.thrown);
  lock.unlock();
  std::exception_ptr thrown;
  if (!skip) {
    try {
      job.work(item);
    } catch (...) {
      thrown = std::current_exception();
    }
  }
  lock.lock();
  if (thrown && !job.thrown) {
    job.thrown = thrown;
  }
  if (++job.done == job.count) {
    m_done.notify_all();
  }
}

void
WorkQueue::run()
{
  std::unique_lock lock(m_mutex);
  for (;;) {
    // Jobs are claimed in order; one a waiter finished claiming may still
    // be queued.
    while (!m_queue.empty()
           && m_queue.front()->claimed == m_queue.front()->count) {
      m_queue.pop_front();
    }
    if (m_stopping) {
      return;
    }
    if (m_queue.empty()) {
      m_work.wait(lock);
      continue;
    }
    // Held by the queue or a waiter's ticket while it runs.
    const Ticket job = m_queue.front();
    run_one(*job, lock);
  }
}

void
WorkQueue::wait(const Ticket& job)
{
  std::unique_lock lock(m_mutex);
  while (job->claimed < job->count) {
    run_one(*job, lock);
  }
  m_done.wait(lock, [&] { return job->done == job->count; });
  if (job->thrown) {
    std::rethrow_exception(job->thrown);
  }
}

} // namespace custody
