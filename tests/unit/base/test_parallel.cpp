// Work spread over the cores: on_every_core and the background WorkQueue.
#include <custody/base/parallel.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <utility>
#include <vector>

using namespace custody;

TEST_SUITE_BEGIN("parallel");

TEST_CASE("on_every_core runs every item once")
{
  std::vector<std::atomic<int>> runs(1000);
  on_every_core(runs.size(), 8, [&](std::size_t i) { ++runs[i]; });
  for (const auto& count : runs) {
    CHECK(count == 1);
  }
  on_every_core(0, 8, [&](std::size_t) { FAIL("no item to run"); });
}

TEST_CASE("on_every_core rethrows what an item threw, on the caller's thread")
{
  std::atomic<int> ran{0};
  CHECK_THROWS_AS(on_every_core(100,
                                8,
                                [&](std::size_t i) {
                                  ++ran;
                                  if (i == 3) {
                                    throw std::runtime_error("item 3");
                                  }
                                }),
                  std::runtime_error);
  CHECK(ran >= 1);
  CHECK(ran <= 100);
}

TEST_CASE("a WorkQueue finishes each job it is waited on, in any order")
{
  WorkQueue queue(8);
  std::vector<std::vector<int>> results(20, std::vector<int>(257, 0));
  std::vector<WorkQueue::Ticket> tickets;
  for (std::size_t j = 0; j < results.size(); ++j) {
    tickets.push_back(queue.submit(results[j].size(), [&, j](std::size_t i) {
      results[j][i] = static_cast<int>(j * 1000 + i);
    }));
  }
  // The last job first: the waiter works on its items itself meanwhile.
  queue.wait(tickets.back());
  for (std::size_t i = 0; i < results.back().size(); ++i) {
    CHECK(results.back()[i]
          == static_cast<int>((results.size() - 1) * 1000 + i));
  }
  for (std::size_t j = 0; j < results.size(); ++j) {
    queue.wait(tickets[j]);
    for (std::size_t i = 0; i < results[j].size(); ++i) {
      CHECK(results[j][i] == static_cast<int>(j * 1000 + i));
    }
  }
  // An empty job is done at once.
  queue.wait(queue.submit(0, [](std::size_t) { FAIL("no item to run"); }));
}

TEST_CASE("a WorkQueue's waiter gets the exception an item threw")
{
  WorkQueue queue(8);
  auto failing = queue.submit(64, [](std::size_t i) {
    if (i == 10) {
      throw std::runtime_error("item 10");
    }
  });
  std::atomic<int> later{0};
  auto next = queue.submit(64, [&](std::size_t) { ++later; });
  CHECK_THROWS_AS(queue.wait(failing), std::runtime_error);
  // A job after the failed one is not affected.
  queue.wait(next);
  CHECK(later == 64);
}

TEST_CASE("a WorkQueue destroyed with jobs queued drops those not started")
{
  std::atomic<int> ran{0};
  {
    WorkQueue queue(2);
    for (int j = 0; j < 50; ++j) {
      queue.submit(1000, [&](std::size_t) { ++ran; });
    }
  }
  // Whatever ran, ran whole; nothing runs after the queue is gone.
  const int after = ran;
  CHECK(after <= 50 * 1000);
  CHECK(ran == after);
}

TEST_SUITE_END();
