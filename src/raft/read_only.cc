#include "raft/read_only.h"

#include <utility>

#include "common/check.h"

namespace strata::raft {

void ReadOnlyQueue::Add(LogIndex index, NodeId from, Bytes context) {
  STRATA_CHECK(!context.empty());
  STRATA_CHECK_MSG(queue_.empty() || queue_.back().index <= index,
                   "read index went backwards within one leadership");
  queue_.push_back(ReadRequest{index, from, std::move(context), {}});
}

const std::set<NodeId>* ReadOnlyQueue::RecvAck(NodeId id, Slice context) {
  for (ReadRequest& r : queue_) {
    if (r.context == context) {
      r.acks.insert(id);
      return &r.acks;
    }
  }
  return nullptr;
}

bool ReadOnlyQueue::Contains(Slice context) const {
  for (const ReadRequest& r : queue_) {
    if (r.context == context) return true;
  }
  return false;
}

std::vector<ReadRequest> ReadOnlyQueue::PopThrough(Slice context) {
  size_t n = 0;
  while (n < queue_.size() && queue_[n].context != context) ++n;
  if (n == queue_.size()) return {};
  std::vector<ReadRequest> out;
  for (size_t i = 0; i <= n; ++i) {
    out.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return out;
}

}  // namespace strata::raft
