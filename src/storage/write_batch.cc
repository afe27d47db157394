#include "storage/write_batch.h"

#include "common/check.h"
#include "common/coding.h"

namespace strata::storage {

WriteBatch::WriteBatch() { Clear(); }

void WriteBatch::Clear() { rep_.assign(kHeader, '\0'); }

uint64_t WriteBatch::applied_index() const { return DecodeFixed64(rep_.data()); }
uint32_t WriteBatch::count() const { return DecodeFixed32(rep_.data() + 8); }

void WriteBatch::SetAppliedIndex(uint64_t index) {
  Bytes buf;
  PutFixed64(&buf, index);
  rep_.replace(0, 8, buf);
}

static void BumpCount(Bytes* rep) {
  uint32_t n = DecodeFixed32(rep->data() + 8) + 1;
  std::memcpy(rep->data() + 8, &n, 4);
}

void WriteBatch::Put(Slice key, Slice value) { Put(key, value, Slice()); }

void WriteBatch::Put(Slice key, Slice value_head, Slice value_tail) {
  rep_.push_back(static_cast<char>(BatchOp::kPut));
  PutLengthPrefixed(&rep_, key);
  PutVarint64(&rep_, value_head.size() + value_tail.size());
  rep_.append(value_head);
  rep_.append(value_tail);
  BumpCount(&rep_);
}

void WriteBatch::Delete(Slice key) {
  rep_.push_back(static_cast<char>(BatchOp::kDelete));
  PutLengthPrefixed(&rep_, key);
  BumpCount(&rep_);
}

void WriteBatch::DeleteRange(Slice begin, Slice end) {
  STRATA_CHECK(begin < end);
  rep_.push_back(static_cast<char>(BatchOp::kDeleteRange));
  PutLengthPrefixed(&rep_, begin);
  PutLengthPrefixed(&rep_, end);
  BumpCount(&rep_);
}

Status WriteBatch::Iterate(Handler* handler) const {
  Slice in(rep_);
  in.remove_prefix(kHeader);
  uint32_t seen = 0;
  while (!in.empty()) {
    auto op = static_cast<BatchOp>(in[0]);
    in.remove_prefix(1);
    Slice a, b;
    if (!GetLengthPrefixed(&in, &a)) return Status::Corruption("write batch: bad key");
    switch (op) {
      case BatchOp::kPut:
        if (!GetLengthPrefixed(&in, &b)) return Status::Corruption("write batch: bad value");
        handler->Put(a, b);
        break;
      case BatchOp::kDelete:
        handler->Delete(a);
        break;
      case BatchOp::kDeleteRange:
        if (!GetLengthPrefixed(&in, &b) || !(a < b)) return Status::Corruption("write batch: bad range");
        handler->DeleteRange(a, b);
        break;
      default:
        return Status::Corruption("write batch: unknown record type");
    }
    seen++;
  }
  if (seen != count()) return Status::Corruption("write batch: record count mismatch");
  return Status::OK();
}

Result<WriteBatch> WriteBatch::FromRep(Slice rep) {
  if (rep.size() < kHeader) return Status::Corruption("write batch: too short");
  WriteBatch b;
  b.rep_.assign(rep);
  struct Null : Handler {
    void Put(Slice, Slice) override {}
    void Delete(Slice) override {}
    void DeleteRange(Slice, Slice) override {}
  } null;
  STRATA_RETURN_IF_ERROR(b.Iterate(&null));
  return b;
}

}  // namespace strata::storage
